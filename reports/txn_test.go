package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/checker/elle"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// staleReadResult is elle's result on a minimal stale read: T0 appends 1
// to a key and completes; T1, invoked afterwards, reads the key empty.
// The key's name and the processes' ops carry markup.
func staleReadResult(t *testing.T) *elle.Result {
	t.Helper()
	h := &history.Txns{Keys: []string{"k" + scriptPayload}, Txns: []history.Txn{
		{Process: 0, Index: 0, Invoke: 0, Complete: 10, Outcome: history.OK, Mops: []history.Mop{{Kind: history.MopAppend, Value: 1}}},
		{Process: 1, Index: 1, Invoke: 20, Complete: 30, Outcome: history.OK, Mops: []history.Mop{{Kind: history.MopRead, IsList: true}}},
		{Process: 1, Index: 2, Invoke: 40, Complete: 50, Outcome: history.OK, Mops: []history.Mop{{Kind: history.MopRead, IsList: true, List: []int64{1}}}},
	}}
	r := elle.Check(h, elle.Options{})
	if r.Verdict != checker.Invalid || len(r.Anomalies) == 0 || r.Anomalies[0].Cycle == nil {
		t.Fatalf("fixture: %s, want a cycle anomaly", r.Summary())
	}
	return r
}

// TestCycleSVGGolden pins the drawing of a two-transaction cycle (its
// structure, coordinates and escaping) to testdata/golden/cycle.svg;
// -update rewrites it.
func TestCycleSVGGolden(t *testing.T) {
	r := staleReadResult(t)
	c := r.Anomalies[0].Cycle
	got := string(CycleSVG(c))
	if again := string(CycleSVG(c)); again != got {
		t.Fatal("two drawings of one cycle differ")
	}
	n := len(c.Steps)
	for _, want := range []struct {
		part  string
		count int
	}{{"<circle ", n}, {"<path ", n}, {"<polygon ", n}, {`class="dep e-rw"`, 1}, {`class="dep e-realtime"`, 1}, {"<svg ", 1}} {
		if got := strings.Count(got, want.part); got != want.count {
			t.Errorf("%d %q in the drawing, want %d", got, want.part, want.count)
		}
	}
	if strings.Contains(got, "<script") || !strings.Contains(got, "rw k&lt;script&gt;") {
		t.Errorf("the key's markup is not escaped in the drawing:\n%s", got)
	}
	path := filepath.Join("testdata", "golden", "cycle.svg")
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("drawing differs from %s (run with -update if intended):\n%s", path, got)
	}
	if CycleSVG(&elle.Cycle{}) != "" {
		t.Error("an empty cycle is drawn")
	}
}

// TestTxnCheckRendered: a report whose check carries elle's result shows
// the models ruled out, each anomaly with its words and its cycle drawn
// and listed, and no markup from the history.
func TestTxnCheckRendered(t *testing.T) {
	r := staleReadResult(t)
	d := &Data{Header: Header{Run: results.Run{Name: "txn" + imgPayload, Verdict: checker.Invalid}},
		Checks: []results.Check{{Name: "elle", Verdict: r.Verdict, Summary: "elle " + r.Summary(), Txn: r}}}
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"rules out <b class=\"bad\">strict-serializable</b>",
		"<b>" + r.Anomalies[0].Type + "</b>",
		AnomalyWords("G-single-item-realtime")[:40],
		`<svg class="cycle"`,
		`<ol class="cycle-steps">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{scriptPayload, imgPayload} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds raw markup %q", bad)
		}
	}
}

// TestAnomalyWords: every anomaly type elle names is explained, suffixed
// or not.
func TestAnomalyWords(t *testing.T) {
	for _, typ := range []string{"G0", "G1a", "G1b", "G1c", "G-single-item", "G-nonadjacent-item", "G2-item", "internal",
		"lost-update", "incompatible-order", "G-single-item-realtime", "G2-item-process", "G0-realtime", "cycle-search-cut"} {
		if AnomalyWords(typ) == "" {
			t.Errorf("%s is not explained", typ)
		}
	}
	if !strings.Contains(AnomalyWords("G1c-realtime"), "real-time") {
		t.Error("a -realtime type's words do not say it needs real time")
	}
}

// TestTxnBrowser renders a report with a transactional check in headless
// chromium (skipped without it, except under CI=true): the page script
// runs without errors, the cycle is in the DOM as SVG, and none of the
// history's markup ran.
func TestTxnBrowser(t *testing.T) {
	bin := chromiumPath(t)
	r := staleReadResult(t)
	d := &Data{Header: Header{Run: results.Run{Name: "txn" + imgPayload, Verdict: checker.Invalid}},
		Checks: []results.Check{{Name: "elle", Verdict: r.Verdict, Summary: "elle " + r.Summary(), Txn: r}}}
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := chromium(t, bin, "file://"+p, "--dump-dom")
	a := bodyAttrs(t, dom)
	if a["data-status"] != "ok" || a["data-errors"] != "0" || a["data-pwned"] != "" {
		t.Fatalf("body attributes %v: want status ok, no errors, not pwned", a)
	}
	if n := bytes.Count(dom, []byte("<circle ")); n != len(r.Anomalies[0].Cycle.Steps) {
		t.Fatalf("%d transaction circles in the DOM, want %d", n, len(r.Anomalies[0].Cycle.Steps))
	}
}
