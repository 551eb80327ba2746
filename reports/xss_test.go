package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// Markup that runs script if a page inserts it as HTML: each payload marks
// <body> with data-pwned.
const (
	imgPayload    = `<img src=x onerror="document.body.setAttribute('data-pwned','img')">`
	scriptPayload = `<script>document.body.setAttribute('data-pwned','script')</script>`
	svgPayload    = `<svg onload="document.body.setAttribute('data-pwned','svg')"></svg>`
)

// hostileVisualization writes the checker's porcupine visualization of a
// non-linearizable history whose node names, error texts, keys and values
// are markup.
func hostileVisualization(t *testing.T) string {
	t.Helper()
	ms := func(n int64) int64 { return n * int64(time.Millisecond) }
	key := "k" + scriptPayload
	ops := []history.Op{
		{Client: 0, Kind: history.Put, Key: key, Value: imgPayload, Invoke: ms(0), Complete: ms(10), Outcome: history.OK, Node: svgPayload},
		{Client: 1, Kind: history.Put, Key: key, Value: "v" + scriptPayload, Invoke: ms(5), Complete: ms(8), Outcome: history.Info,
			Node: "n1" + imgPayload, Error: "timeout " + imgPayload},
		{Client: 2, Kind: history.Get, Key: key, Output: svgPayload, Invoke: ms(20), Complete: ms(30), Outcome: history.OK, Node: scriptPayload},
		{Client: 2, Kind: history.Get, Key: key, Output: imgPayload, Invoke: ms(40), Complete: ms(50), Outcome: history.OK, Node: imgPayload},
	}
	path := filepath.Join(t.TempDir(), checker.VisualizationFile)
	res, err := checker.CheckKV(ops, checker.PorcupineOptions{VisualizationPath: path, KeyTimeout: 10 * time.Second,
		Events: []history.Event{{Kind: "partition" + imgPayload, Start: ms(1), Stop: ms(45), Desc: svgPayload, Nodes: []string{scriptPayload}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != checker.Invalid || res.Visualization != path {
		t.Fatalf("fixture: %s, want invalid with a visualization", res.Summary())
	}
	return path
}

// TestVisualizationEscapesHistoryText is the plain check: the text that
// porcupine's page sets as HTML (operation metadata, states) holds no
// markup from the history, only its escaped form.
func TestVisualizationEscapesHistoryText(t *testing.T) {
	b, err := os.ReadFile(hostileVisualization(t))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*const data = (.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no data section in the visualization")
	}
	var data struct {
		Partitions []struct {
			History               []struct{ Metadata string }
			PartialLinearizations [][]struct{ StateDescription string }
		}
	}
	if err := json.Unmarshal(m[1], &data); err != nil {
		t.Fatal(err)
	}
	var html []string
	for _, p := range data.Partitions {
		for _, h := range p.History {
			html = append(html, h.Metadata)
		}
		for _, l := range p.PartialLinearizations {
			for _, s := range l {
				html = append(html, s.StateDescription)
			}
		}
	}
	all := strings.Join(html, "\n")
	if !strings.Contains(all, "&lt;img") || !strings.Contains(all, "&lt;svg") {
		t.Errorf("the hostile text does not reach the HTML fields escaped:\n%s", all)
	}
	if strings.ContainsAny(all, "<>") {
		t.Errorf("history markup reaches the page's HTML unescaped:\n%s", all)
	}
}

// hoverAll is appended to the visualization: it moves the mouse over every
// operation and annotation, so that every tooltip is built, and records on
// <body> how many were shown and how many elements they held that only
// markup can make.
const hoverAll = `<script>
window.addEventListener("load", function () {
  var shown = 0, tags = 0, text = "";
  document.querySelectorAll(".target-rect").forEach(function (r) {
    r.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    r.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: 5, clientY: 5 }));
    var tip = document.querySelector(".tooltip");
    if (tip && tip.textContent) { shown++; text += tip.textContent; }
    if (tip) tags += tip.querySelectorAll("img, script, svg, iframe").length;
    r.dispatchEvent(new MouseEvent("mouseout", { bubbles: true }));
  });
  document.body.setAttribute("data-shown", String(shown));
  document.body.setAttribute("data-tags", String(tags));
  document.body.setAttribute("data-saw-payload", String(text.indexOf("onerror") >= 0));
});
</script>
</body>`

// TestBrowserVisualizationRunsNoHistoryScript opens the visualization of a
// hostile history in headless chromium, shows every tooltip, and checks
// that no payload ran.
func TestBrowserVisualizationRunsNoHistoryScript(t *testing.T) {
	bin := chromiumPath(t)
	b, err := os.ReadFile(hostileVisualization(t))
	if err != nil {
		t.Fatal(err)
	}
	page := strings.Replace(string(b), "</body>", hoverAll, 1)
	if page == string(b) {
		t.Fatal("no </body> in the visualization")
	}
	path := filepath.Join(t.TempDir(), "hover.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	a := bodyAttrs(t, chromium(t, bin, "file://"+path, "--dump-dom"))
	if p, ok := a["data-pwned"]; ok {
		t.Errorf("a history payload ran in the visualization (%s)", p)
	}
	if a["data-tags"] != "0" {
		t.Errorf("tooltips hold %s elements made from history markup", a["data-tags"])
	} else if a["data-shown"] == "" || a["data-shown"] == "0" || a["data-saw-payload"] != "true" {
		// Escaped, the payloads must still show, as text.
		t.Errorf("the tooltips were not exercised (shown %q, payload text seen %q)", a["data-shown"], a["data-saw-payload"])
	}
}

// TestReportEscapesJournalText renders the report of a Maelstrom run whose
// ids, message types, problem lines and node logs are markup: the page
// holds none of it unescaped, and a node log outside the results folder
// is not linked.
func TestReportEscapesJournalText(t *testing.T) {
	dir := t.TempDir()
	synthMaelstrom(t, dir, 21, 120, true)
	p, err := WriteReport(dir)
	b := readWritten(t, p, err)
	for _, payload := range []string{imgPayload, scriptPayload, svgPayload, "onerror=\"", "onload=\""} {
		if strings.Contains(string(b), payload) {
			t.Errorf("the report holds %q unescaped", payload)
		}
	}
	for _, want := range []string{"&lt;img src=x", "svc", "junk &lt;script&gt;", `id="chart-sequence"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(string(b), "passwd") {
		t.Error("a log outside the results folder is linked")
	}
}

// TestBrowserReportRunsNoJournalScript opens that report in headless
// chromium: the diagram and tables draw, and no payload runs.
func TestBrowserReportRunsNoJournalScript(t *testing.T) {
	bin := chromiumPath(t)
	dir := t.TempDir()
	synthMaelstrom(t, dir, 21, 120, true)
	p, err := WriteReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := renderCheck(t, bin, p, 5)
	if pw, ok := a["data-pwned"]; ok {
		t.Errorf("a journal payload ran in the report (%s)", pw)
	}
	if a["data-diagrams"] != "1" || a["data-arrows"] == "" || a["data-arrows"] == "0" {
		t.Errorf("diagram attributes %v", a)
	}
}
