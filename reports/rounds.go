package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"slices"
	"sort"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// RoundRun names one finished run of a benchmark that alternates rounds
// of several backends (a config with a compare section).
type RoundRun struct {
	Case    string
	Backend string
	Round   int
	Dir     string
}

// Benchmark is the comparison of backends over repeated rounds: per case,
// the median of each backend's rounds and its ratios to the first
// backend's medians.
type Benchmark struct {
	Name  string          `json:"name"`
	Cases []BenchmarkCase `json:"cases"`
}

// BenchmarkCase is one case of a benchmark.
type BenchmarkCase struct {
	Name     string             `json:"name"`
	Backends []BenchmarkBackend `json:"backends"`
	// Charts overlays the median round of every backend (the round whose
	// throughput is the median of its rounds).
	Charts []CompareRun `json:"runs"`
}

// BenchmarkBackend is one backend's rounds of one case and their medians.
type BenchmarkBackend struct {
	Backend string `json:"backend"`
	// Verdict is the worst verdict of its rounds.
	Verdict checker.Verdict `json:"verdict"`
	Rounds  int             `json:"rounds"`
	// RoundOpsPerS lists every round's throughput, in round order.
	RoundOpsPerS []float64 `json:"round_ops_per_s"`
	// Figures are the medians over the rounds, each metric on its own.
	Figures
	// Windows is the median availability inside each fault window, the
	// windows matched by their order in the schedule (and kind).
	Windows []WindowAvailability `json:"windows,omitempty"`
	// Ratio to the first backend's medians (see Figures.ratios).
	Ratio map[string]float64 `json:"ratio"`
	// Dirs are the rounds' results folders, relative to the benchmark's.
	Dirs []string `json:"dirs"`
	// Clients is how the first round drove the backend (client settings
	// are the same in every round).
	Clients *results.Clients `json:"clients,omitempty"`
	// Bare is the harness against the backend's bare loop, when the runs
	// measured it.
	Bare *BareFigures `json:"bare,omitempty"`
}

// roundResult is one run with the numbers read from its results.
type roundResult struct {
	RoundRun
	Run CompareRun
}

// BuildBenchmark reads every run's results and computes the medians and
// ratios. Backends keep the order of their first appearance within each
// case unless order names them (the baseline first).
func BuildBenchmark(name, root string, runs []RoundRun, order []string) (*Benchmark, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("reports: benchmark %s: no runs", name)
	}
	b := &Benchmark{Name: name}
	var caseOrder []string
	byCase := map[string]map[string][]roundResult{}
	for _, r := range runs {
		d, err := Build(r.Dir)
		if err != nil {
			return nil, err
		}
		cr := compareRun(r.Dir, d)
		cr.Label = fmt.Sprintf("%s · round %d", r.Backend, r.Round)
		res := roundResult{RoundRun: r, Run: cr}
		if byCase[r.Case] == nil {
			byCase[r.Case] = map[string][]roundResult{}
			caseOrder = append(caseOrder, r.Case)
		}
		byCase[r.Case][r.Backend] = append(byCase[r.Case][r.Backend], res)
	}
	for _, cn := range caseOrder {
		c := BenchmarkCase{Name: cn}
		var names []string
		for _, n := range order {
			if _, ok := byCase[cn][n]; ok {
				names = append(names, n)
			}
		}
		for _, r := range runs {
			if r.Case == cn && !slices.Contains(names, r.Backend) {
				names = append(names, r.Backend)
			}
		}
		for _, n := range names {
			bb, chart := summarize(root, n, byCase[cn][n])
			c.Backends = append(c.Backends, bb)
			c.Charts = append(c.Charts, chart)
		}
		base := c.Backends[0]
		for i := range c.Backends {
			x := &c.Backends[i]
			x.Ratio = x.Figures.ratios(base.Figures)
		}
		b.Cases = append(b.Cases, c)
	}
	return b, nil
}

// summarize takes one backend's rounds of one case to their medians, and
// picks the median round for the overlaid charts.
func summarize(root, backend string, rs []roundResult) (BenchmarkBackend, CompareRun) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Round < rs[j].Round })
	bb := BenchmarkBackend{Backend: backend, Rounds: len(rs)}
	var verdicts []checker.Verdict
	var ops, avail, favail []float64
	var p50, p99, p999, mx, errs []int64
	var bares []*results.Bare
	for _, r := range rs {
		cr := r.Run
		if bb.Clients == nil {
			bb.Clients = cr.Clients
		}
		bares = append(bares, cr.Bare)
		bb.RoundOpsPerS = append(bb.RoundOpsPerS, results.Round(cr.OpsPerS, 1))
		ops = append(ops, cr.OpsPerS)
		p50, p99, p999, mx = append(p50, cr.P50US), append(p99, cr.P99US), append(p999, cr.P999US), append(mx, cr.MaxUS)
		errs = append(errs, cr.Errors)
		if cr.Availability >= 0 {
			avail = append(avail, cr.Availability)
		}
		if cr.FaultAvailability >= 0 {
			favail = append(favail, cr.FaultAvailability)
		}
		verdicts = append(verdicts, cr.Verdict)
		rel, err := filepath.Rel(root, r.Dir)
		if err != nil {
			rel = r.Dir
		}
		bb.Dirs = append(bb.Dirs, filepath.ToSlash(rel))
	}
	bb.Bare = bareFigures(bares)
	bb.Verdict = checker.MergeAll(verdicts...)
	bb.OpsPerS = results.Round(results.Median(ops), 1)
	bb.P50US, bb.P99US, bb.P999US, bb.MaxUS = medianI(p50), medianI(p99), medianI(p999), medianI(mx)
	bb.Errors = medianI(errs)
	bb.Availability, bb.FaultAvailability = -1, -1
	if len(avail) > 0 {
		bb.Availability = results.Round(results.Median(avail), 4)
	}
	if len(favail) > 0 {
		bb.FaultAvailability = results.Round(results.Median(favail), 4)
	}
	bb.Windows = medianWindows(rs)
	// The chart shows the round whose throughput is closest to the median.
	pick := 0
	for i, r := range rs {
		if abs(r.Run.OpsPerS-bb.OpsPerS) < abs(rs[pick].Run.OpsPerS-bb.OpsPerS) {
			pick = i
		}
	}
	chart := rs[pick].Run
	chart.Label = fmt.Sprintf("%s (round %d of %d)", backend, rs[pick].Round, len(rs))
	return bb, chart
}

// medianWindows takes the availability of each fault window to its median
// over the rounds; window i of every round is the same scheduled fault
// when the kinds agree, and the windows stop at the first disagreement
// (random schedules can differ from round to round).
func medianWindows(rs []roundResult) []WindowAvailability {
	if len(rs) == 0 {
		return nil
	}
	var out []WindowAvailability
	for i, w := range rs[0].Run.Windows {
		var av []float64
		for _, r := range rs {
			if i >= len(r.Run.Windows) || r.Run.Windows[i].Kind != w.Kind {
				return out
			}
			if a := r.Run.Windows[i].Availability; a >= 0 {
				av = append(av, a)
			}
		}
		m := WindowAvailability{Kind: w.Kind, Label: w.Label, Start: w.Start, Stop: w.Stop, Availability: -1}
		if len(rs) > 1 {
			m.Label = w.Kind // nodes differ from round to round
		}
		if len(av) > 0 {
			m.Availability = results.Round(results.Median(av), 4)
		}
		out = append(out, m)
	}
	return out
}

// WindowRows lines up the fault windows of a case's backends: one row per
// window of the backend with the most, one column per backend (-1 where a
// backend has no such window or no op in it).
func (c BenchmarkCase) WindowRows() []WindowRow {
	n := 0
	for _, b := range c.Backends {
		n = max(n, len(b.Windows))
	}
	var rows []WindowRow
	for i := 0; i < n; i++ {
		var row WindowRow
		for _, b := range c.Backends {
			a := -1.0
			if i < len(b.Windows) {
				w := b.Windows[i]
				if row.Label == "" {
					row.Label, row.Start, row.Stop = w.Kind, w.Start, w.Stop
				}
				a = w.Availability
			}
			row.Availability = append(row.Availability, a)
		}
		rows = append(rows, row)
	}
	return rows
}

// WindowRow is one fault window across a case's backends.
type WindowRow struct {
	Label        string
	Start, Stop  float64
	Availability []float64
}

// medianI is results.Median of integer figures, rounded.
func medianI(xs []int64) int64 {
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return int64(results.Median(f) + 0.5)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// WriteBenchmark renders b as one self-contained HTML page.
func WriteBenchmark(w io.Writer, b *Benchmark) error {
	js, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("reports: encode benchmark: %w", err)
	}
	return execute(w, "benchmark", &page{Title: "Faultline benchmark: " + b.Name, Assets: pageAssets, JSON: template.JS(js), Bench: b})
}

// WriteBenchmarkFiles writes b to dir as compare.html (the page) and
// compare.json (its numbers, for scripts), atomically, and returns the
// page's path.
func WriteBenchmarkFiles(dir string, b *Benchmark) (string, error) {
	var buf bytes.Buffer
	if err := WriteBenchmark(&buf, b); err != nil {
		return "", err
	}
	js, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return "", fmt.Errorf("reports: encode benchmark: %w", err)
	}
	if err := results.WriteFile(filepath.Join(dir, "compare.json"), append(js, '\n')); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "compare.html")
	return p, results.WriteFile(p, buf.Bytes())
}
