package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// benchRuns writes two backends' rounds of two cases as synthetic runs
// under root: backend "b" has one invalid round.
func benchRuns(t testing.TB, root string) []RoundRun {
	t.Helper()
	var runs []RoundRun
	seed := uint64(10)
	for r := 1; r <= 3; r++ {
		for _, cs := range []string{"put", "get"} {
			for _, b := range []string{"a", "b"} {
				dir := filepath.Join(root, cs+"-"+b+"-r"+string(rune('0'+r)))
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				v := checker.Valid
				if b == "b" && r == 2 && cs == "put" {
					v = checker.Invalid
				}
				seed++
				synthRun(t, dir, synthOptions{seed: seed, ops: 2000 + int(seed)*300, seconds: 10, verdict: v})
				runs = append(runs, RoundRun{Case: cs, Backend: b, Round: r, Dir: dir})
			}
		}
	}
	return runs
}

func TestBenchmarkMedians(t *testing.T) {
	root := t.TempDir()
	runs := benchRuns(t, root)
	// Listing "b" first in order makes it the baseline.
	bm, err := BuildBenchmark("demo", root, runs, []string{"b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(bm.Cases) != 2 || bm.Cases[0].Name != "put" || bm.Cases[1].Name != "get" {
		t.Fatalf("cases %+v", bm.Cases)
	}
	for _, c := range bm.Cases {
		if len(c.Backends) != 2 || c.Backends[0].Backend != "b" || c.Backends[1].Backend != "a" {
			t.Fatalf("case %s backends %+v", c.Name, c.Backends)
		}
		for _, bb := range c.Backends {
			// Recompute the median throughput and p99 from the runs.
			var ops, p99 []float64
			for _, r := range runs {
				if r.Case == c.Name && r.Backend == bb.Backend {
					d, err := Build(r.Dir)
					if err != nil {
						t.Fatal(err)
					}
					ops = append(ops, d.Summary["all"].OpsPerSec)
					p99 = append(p99, float64(d.Summary["all"].P99US))
				}
			}
			slices.Sort(ops)
			slices.Sort(p99)
			if bb.Rounds != 3 || len(bb.RoundOpsPerS) != 3 || len(bb.Dirs) != 3 {
				t.Errorf("%s/%s: %d rounds, %d figures, %d dirs", c.Name, bb.Backend, bb.Rounds, len(bb.RoundOpsPerS), len(bb.Dirs))
			}
			if bb.OpsPerS != results.Round(ops[1], 1) || bb.P99US != int64(p99[1]) {
				t.Errorf("%s/%s: median ops/s %v p99 %v, want %v and %v", c.Name, bb.Backend, bb.OpsPerS, bb.P99US, ops[1], p99[1])
			}
			if strings.HasPrefix(bb.Dirs[0], "/") {
				t.Errorf("dirs are not relative: %v", bb.Dirs)
			}
		}
		base, other := c.Backends[0], c.Backends[1]
		if base.Ratio["ops"] != 1 || other.Ratio["ops"] != ratio(other.OpsPerS, base.OpsPerS) {
			t.Errorf("%s: ratios %v / %v", c.Name, base.Ratio, other.Ratio)
		}
		rows := c.WindowRows()
		if len(rows) == 0 || len(rows[0].Availability) != 2 || len(base.Windows) == 0 {
			t.Errorf("%s: fault windows %+v", c.Name, rows)
		}
		for i, w := range base.Windows {
			var av []float64
			for _, r := range runs {
				if r.Case == c.Name && r.Backend == base.Backend {
					d, err := Build(r.Dir)
					if err != nil {
						t.Fatal(err)
					}
					av = append(av, compareRun(r.Dir, d).Windows[i].Availability)
				}
			}
			if want := results.Round(results.Median(av), 4); w.Availability != want || rows[i].Availability[0] != want {
				t.Errorf("%s window %d: availability %v (row %v), want median %v of %v", c.Name, i, w.Availability, rows[i].Availability[0], want, av)
			}
		}
		if len(c.Charts) != 2 || !strings.HasPrefix(c.Charts[0].Label, "b (round ") {
			t.Errorf("%s: charts %d, first label %q", c.Name, len(c.Charts), c.Charts[0].Label)
		}
	}
	if v := bm.Cases[0].Backends[0].Verdict; v != checker.Invalid {
		t.Errorf("put/b verdict %q, want the worst round's (invalid)", v)
	}
	if v := bm.Cases[1].Backends[0].Verdict; v != checker.Valid {
		t.Errorf("get/b verdict %q, want valid", v)
	}

	p, err := WriteBenchmarkFiles(root, bm)
	page := readWritten(t, p, err)
	for _, want := range []string{`id="case-put"`, `id="chart-cmp-throughput-1"`, `id="windows-put"`, "put-b-r1/report.html", "(baseline)"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	var back Benchmark
	js, err := os.ReadFile(filepath.Join(root, "compare.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back.Cases[1].Backends[1].OpsPerS != bm.Cases[1].Backends[1].OpsPerS {
		t.Errorf("compare.json does not round-trip the medians")
	}
	if _, err := BuildBenchmark("none", root, nil, nil); err == nil {
		t.Error("a benchmark of no runs was built")
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := results.Median(tc.in); got != tc.want {
			t.Errorf("median %v = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIndexListsComparisons(t *testing.T) {
	root := t.TempDir()
	bdir := filepath.Join(root, "20261123-150000-cmp")
	if err := os.Mkdir(bdir, 0o755); err != nil {
		t.Fatal(err)
	}
	bm, err := BuildBenchmark("cmp", bdir, benchRuns(t, bdir), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteBenchmarkFiles(bdir, bm); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(root, "20261123-140000-kv")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	synthRun(t, run, synthOptions{seed: 1, ops: 500, seconds: 5, verdict: checker.Valid})
	es, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || !es[0].Comparison || es[1].Comparison {
		t.Fatalf("entries %+v, want the comparison (newer) then the run", es)
	}
	c := es[0]
	if c.Name != "cmp" || c.Backend != "a vs b" || c.Verdict != checker.Invalid || !c.Report || c.Started.Hour() != 15 {
		t.Errorf("comparison entry %+v", c)
	}
	p, err := WriteIndex(root)
	page := readWritten(t, p, err)
	if !bytes.Contains(page, []byte(`href="20261123-150000-cmp/compare.html"`)) {
		t.Error("index does not link the comparison page")
	}
}
