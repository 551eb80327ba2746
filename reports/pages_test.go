package reports

import (
	"bytes"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// readWritten takes what a Write function returned (a file's path and an
// error) and returns the file's content, failing the test on either's
// error.
func readWritten(t *testing.T, path string, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runsDir makes a results directory with three synthetic runs (started a
// minute apart, in the order of their seeds) and a folder that is no run.
func runsDir(t *testing.T) (root string, dirs []string) {
	t.Helper()
	root = t.TempDir()
	for i, o := range []synthOptions{
		{seed: 11, ops: 2000, seconds: 8, verdict: checker.Valid},
		{seed: 12, ops: 3000, seconds: 8, verdict: checker.Invalid},
		{seed: 13, verdict: checker.Valid, job: true},
	} {
		d := filepath.Join(root, "run-"+string(rune('a'+i)))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		synthRun(t, d, o)
		dirs = append(dirs, d)
	}
	if err := os.Mkdir(filepath.Join(root, "not-a-run"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, dirs
}

func TestScanNewestFirst(t *testing.T) {
	root, _ := runsDir(t)
	entries, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Dir)
	}
	if strings.Join(got, " ") != "run-c run-b run-a" {
		t.Fatalf("runs %v, want newest first: run-c run-b run-a", got)
	}
	if e := entries[1]; e.Verdict != checker.Invalid || e.Backend != "raftkv" || e.OpsPerS == 0 || e.P99US == 0 || e.Report {
		t.Errorf("entry %+v", e)
	}
	p, err := WriteIndex(root)
	b := readWritten(t, p, err)
	if a, c := bytes.Index(b, []byte("run-a")), bytes.Index(b, []byte("run-c")); a < 0 || c < 0 || c > a {
		t.Errorf("index lists run-c at %d and run-a at %d, want run-c first", c, a)
	}
	if bytes.Contains(b, []byte("not-a-run")) {
		t.Error("index lists a folder without results.json")
	}
}

func TestCompareRatios(t *testing.T) {
	_, dirs := runsDir(t)
	c, err := Compare(dirs[:2])
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Runs[0], c.Runs[1]
	if a.Ratio["ops"] != 1 || a.Ratio["p99"] != 1 {
		t.Errorf("baseline ratios %v, want 1", a.Ratio)
	}
	if want := results.Round(b.OpsPerS/a.OpsPerS, 3); b.Ratio["ops"] != want || want <= 1 {
		t.Errorf("throughput ratio %v, want %v (>1)", b.Ratio["ops"], want)
	}
	if a.FaultAvailability < 0 || a.FaultAvailability >= a.Availability {
		t.Errorf("availability in faults %v, overall %v", a.FaultAvailability, a.Availability)
	}
	if len(b.T) == 0 || len(b.T) != len(b.OK) || len(b.T) != len(b.P99) || len(b.Curve) == 0 {
		t.Errorf("chart series: %d seconds, %d ok, %d p99, %d curve points", len(b.T), len(b.OK), len(b.P99), len(b.Curve))
	}
	var buf bytes.Buffer
	if err := WriteComparison(&buf, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "×1.50") {
		t.Errorf("comparison page lacks the 1.5× throughput ratio")
	}
	if _, err := Compare(nil); err == nil {
		t.Error("comparing nothing succeeded")
	}
	if _, err := Compare([]string{t.TempDir()}); err == nil {
		t.Error("comparing a folder without results succeeded")
	}
}

var fetches = regexp.MustCompile(`(?i)(\b(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import|<link\b|\bimport\s*\()`)

func TestPageSelfContained(t *testing.T) {
	for _, bad := range []string{`<script src="https://cdn.example/u.js">`, `<link rel=stylesheet href=//x/y.css>`, `background:url('http://x/y.png')`} {
		if !fetches.MatchString(bad) {
			t.Fatalf("the fetch pattern misses %s", bad)
		}
	}
	_, dirs := runsDir(t)
	for _, d := range dirs {
		p, err := WriteReport(d)
		b := readWritten(t, p, err)
		s := string(b)
		// Look for anything that would fetch: external scripts, styles,
		// images or frames, also inside the embedded (escaped) srcdoc.
		for _, text := range []string{s, html.UnescapeString(s)} {
			if m := fetches.FindString(text); m != "" {
				t.Errorf("%s fetches %q: the page must be self-contained", p, m)
			}
		}
		if !strings.Contains(s, `id="report-data"`) || !strings.Contains(s, "uPlot") {
			t.Errorf("%s lacks its data section or chart library", p)
		}
	}
}

func TestHandler(t *testing.T) {
	root, dirs := runsDir(t)
	srv := httptest.NewServer(Handler(root, nil))
	defer srv.Close()
	get := func(path string) (int, string) { t.Helper(); return fetch(t, srv.URL, path, "") }
	if code, body := get("/"); code != 200 || !strings.Contains(body, "run-b/report.html") {
		t.Errorf("index: %d, links run-b: %v", code, strings.Contains(body, "run-b/report.html"))
	}
	// No report.html yet: rendered on the fly.
	if code, body := get("/run-b/report.html"); code != 200 || !strings.Contains(body, "NOT append-consistent") {
		t.Errorf("report on the fly: %d", code)
	}
	if code, body := get("/run-a/history.jsonl"); code != 200 || !strings.HasPrefix(body, `{"type":"op"`) {
		t.Errorf("history: %d", code)
	}
	if code, _ := get("/missing/report.html"); code != 404 {
		t.Errorf("missing run: %d, want 404", code)
	}
	if code, _ := get("/../" + filepath.Base(dirs[0]) + "/results.json"); code != 200 {
		t.Errorf("cleaned path: %d", code)
	}
	resp, err := http.Post(srv.URL+"/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

func TestServeStops(t *testing.T) {
	root, _ := runsDir(t)
	base, stop := serveLoopback(t, root, nil, nil)
	if code, _ := fetch(t, base, "/", ""); code != 200 {
		t.Errorf("status %d", code)
	}
	stop() // fails the test unless Serve returns nil within 10 s
}

func TestFailedRunRenders(t *testing.T) {
	dir := t.TempDir()
	writeJSON(t, dir, "results.json", map[string]any{
		"schema": 1, "name": "broken", "verdict": "failed", "error": "start raftkv: node n1 exited",
		"backend": "raftkv", "files": map[string]string{"history": "history.jsonl"},
	})
	p, err := WriteReport(dir)
	b := readWritten(t, p, err)
	for _, want := range []string{"Run failed", "start raftkv: node n1 exited", "No faults or cluster events"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report of a failed run lacks %q", want)
		}
	}
}
