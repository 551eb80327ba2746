package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline/workloads/checker"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenCases are the runs whose data sections are pinned: synthetic ones
// (a KV run with faults and failed checks, a MapReduce job) and real
// results.json files written by the harness.
func goldenCases(t *testing.T) map[string]string {
	t.Helper()
	kv := t.TempDir()
	synthRun(t, kv, synthOptions{seed: 7, ops: 3000, seconds: 12, verdict: checker.Invalid})
	job := t.TempDir()
	synthRun(t, job, synthOptions{seed: 8, verdict: checker.Valid, job: true})
	mael := t.TempDir()
	synthMaelstrom(t, mael, 9, 90, false)
	return map[string]string{
		"synthetic-maelstrom": mael,
		"synthetic-kv":        kv,
		"synthetic-job":       job,
		"raftkv":              filepath.Join("testdata", "runs", "raftkv"),
		"wordcount":           filepath.Join("testdata", "runs", "wordcount"),
	}
}

func TestDataGolden(t *testing.T) {
	for name, dir := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			d, err := Build(dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(d, "", " ")
			if err != nil {
				t.Fatal(err)
			}
			// Paths of temporary folders vary from run to run.
			got = bytes.ReplaceAll(got, []byte(dir), []byte("RUN_DIR"))
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestDataGolden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("data section of %s differs from %s (go test -run TestDataGolden -update rewrites it):\n%s",
					name, path, firstDiff(string(want), string(got)))
			}
		})
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\nwant: " + a + "\ngot:  " + b
		}
	}
	return "(no line differs)"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestBuildKV(t *testing.T) {
	dir := t.TempDir()
	synthRun(t, dir, synthOptions{seed: 3, ops: 5000, seconds: 10, verdict: checker.Invalid})
	d, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Header.Headline != "NOT append-consistent" {
		t.Errorf("headline %q", d.Header.Headline)
	}
	if a := d.Header.Appends; a == nil || a.Lost != 2 || a.Duplicated != 1 {
		t.Errorf("append counts %+v, want lost 2 duplicated 1", a)
	}
	if d.Checks[0].Verdict != checker.Invalid {
		t.Errorf("first check %s is %s, want the invalid one first", d.Checks[0].Name, d.Checks[0].Verdict)
	}
	if len(d.Windows) != 3 || len(d.Events) != 5 {
		t.Fatalf("%d windows and %d events, want 3 and 5", len(d.Windows), len(d.Events))
	}
	if last := d.Windows[2]; !last.Open || last.Kind != "pause" || last.Stop < last.Start {
		t.Errorf("open pause window %+v", last)
	}
	// Every op is drawn (fewer than MaxScatter), and the partition lowers
	// availability below the fault-free share.
	if d.Scatter.Kept != 5000 || d.Scatter.Total != 5000 {
		t.Errorf("scatter kept %d of %d", d.Scatter.Kept, d.Scatter.Total)
	}
	part, outside := d.Availability[0], d.Availability[len(d.Availability)-2]
	if part.Label != "partition n0" || outside.Label != "outside fault windows" {
		t.Fatalf("availability rows %q, %q", part.Label, outside.Label)
	}
	if part.Availability >= outside.Availability || part.Fail+part.Info == 0 {
		t.Errorf("availability in the partition %v, outside %v", part.Availability, outside.Availability)
	}
	if n := len(d.RPC); n != 4 || d.RPC[n-1].Name != "all" || d.RPC[n-1].CallsPerOp <= 2 {
		t.Errorf("rpc rows %+v", d.RPC)
	}
	if !strings.Contains(d.Header.Repro, "-seed 3") || !strings.Contains(d.Header.Repro, "config.yaml") {
		t.Errorf("repro %q", d.Header.Repro)
	}
	if d.Links["visualization"] != "linearizability.html" {
		t.Errorf("links %v", d.Links)
	}
}

func TestBuildRejects(t *testing.T) {
	dir := t.TempDir()
	if _, err := Build(dir); err == nil {
		t.Error("a folder without results.json built")
	}
	writeJSON(t, dir, "results.json", map[string]any{"schema": 2})
	if _, err := Build(dir); err == nil || !strings.Contains(err.Error(), "schema 2") {
		t.Errorf("schema 2: %v", err)
	}
	writeJSON(t, dir, "results.json", map[string]any{"schema": 1, "files": map[string]string{"history": "h.jsonl"}})
	if err := os.WriteFile(filepath.Join(dir, "h.jsonl"), []byte(`{"type":"op","kind":"get","outcome":"maybe"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(dir); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad outcome: %v", err)
	}
}

func TestDownsample(t *testing.T) {
	var ops []op
	wantFail, wantInfo := 0, 0
	for i := range 100_000 {
		o := op{kind: "get", invoke: int64(i) * 1e5, outcome: outcomeOK}
		o.complete = o.invoke + 1e6
		switch {
		case i%1000 == 0:
			o.outcome = outcomeInfo
		case i%777 == 0:
			o.outcome = outcomeFail
		case i == 54321:
			o.complete = o.invoke + 5e9 // the spike must survive
		}
		switch o.outcome {
		case outcomeFail:
			wantFail++
		case outcomeInfo:
			wantInfo++
		}
		ops = append(ops, o)
	}
	s := downsample(ops, 5000, 1<<20)
	var fails, infos int
	spike := false
	for i := range s.T {
		switch s.O[i] {
		case outcomeFail:
			fails++
		case outcomeInfo:
			infos++
		}
		if s.Lat[i] == 5e6 {
			spike = true
		}
		if i > 0 && s.T[i] < s.T[i-1] {
			t.Fatalf("scatter not sorted at %d", i)
		}
	}
	if infos != wantInfo || fails != wantFail {
		t.Errorf("kept %d info and %d fail ops, want all %d and %d", infos, fails, wantInfo, wantFail)
	}
	if !spike {
		t.Error("the slowest op was dropped")
	}
	if ok := int(s.Kept) - fails - infos; ok > 5000 || ok < 4000 {
		t.Errorf("kept %d ok ops, want at most 5000 and near it", ok)
	}
	if s.Note == "" {
		t.Error("no note about downsampling")
	}
	small := downsample(ops[:100], 5000, 1<<20)
	if small.Kept != 100 || small.Note != "" {
		t.Errorf("small history: kept %d, note %q", small.Kept, small.Note)
	}
}
