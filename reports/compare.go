package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strconv"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// Comparison is the side-by-side view of several runs; the first is the
// baseline every ratio refers to.
type Comparison struct {
	Runs []CompareRun `json:"runs"`
}

// CompareRun is one run of a comparison: its summary numbers, their ratios
// to the first run's, and the series overlaid on the charts.
type CompareRun struct {
	Label    string          `json:"label"`
	Dir      string          `json:"-"`
	Verdict  checker.Verdict `json:"-"`
	Backend  string          `json:"-"`
	Workload string          `json:"-"`
	Nodes    int             `json:"-"`
	Figures
	// Windows is the availability inside each fault window, in order.
	Windows []WindowAvailability `json:"-"`
	// Ratios to the first run, keyed like the table's columns.
	Ratio map[string]float64 `json:"-"`
	// Clients says how the run drove its backend; Bare, how the harness
	// did against the backend's bare loop (nil when not measured).
	Clients *results.Clients `json:"-"`
	Bare    *results.Bare    `json:"-"`

	T     []int        `json:"t"`
	OK    []int64      `json:"ok"`
	P99   []int64      `json:"p99"`
	Curve [][2]float64 `json:"curve,omitempty"`
}

// Figures are the summary numbers of a run, or their medians over rounds.
type Figures struct {
	OpsPerS float64 `json:"ops_per_s"`
	P50US   int64   `json:"p50_us"`
	P99US   int64   `json:"p99_us"`
	P999US  int64   `json:"p999_us"`
	MaxUS   int64   `json:"max_us"`
	// Availability is the share of successful ops over the whole run, and
	// FaultAvailability over the fault windows only (-1: none).
	Availability      float64 `json:"availability"`
	FaultAvailability float64 `json:"fault_availability"`
	Errors            int64   `json:"errors"`
}

// ratios divides f by base: "ops" (higher is better), "p50", "p99",
// "p999", "max" (lower is better), and where both have them
// "availability" and "fault_availability" (higher is better).
func (f Figures) ratios(base Figures) map[string]float64 {
	r := map[string]float64{
		"ops":  ratio(f.OpsPerS, base.OpsPerS),
		"p50":  ratio(float64(f.P50US), float64(base.P50US)),
		"p99":  ratio(float64(f.P99US), float64(base.P99US)),
		"p999": ratio(float64(f.P999US), float64(base.P999US)),
		"max":  ratio(float64(f.MaxUS), float64(base.MaxUS)),
	}
	if f.Availability >= 0 && base.Availability > 0 {
		r["availability"] = ratio(f.Availability, base.Availability)
	}
	if f.FaultAvailability >= 0 && base.FaultAvailability > 0 {
		r["fault_availability"] = ratio(f.FaultAvailability, base.FaultAvailability)
	}
	return r
}

// WindowAvailability is the share of ops that succeeded inside one fault
// window (-1: no op was invoked in it).
type WindowAvailability struct {
	Kind         string  `json:"kind"`
	Label        string  `json:"label"`
	Start        float64 `json:"start"`
	Stop         float64 `json:"stop"`
	Availability float64 `json:"availability"`
}

// Compare builds the comparison of the results folders dirs.
func Compare(dirs []string) (*Comparison, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("reports: compare: no runs given")
	}
	c := &Comparison{}
	for _, dir := range dirs {
		d, err := Build(dir)
		if err != nil {
			return nil, err
		}
		c.Runs = append(c.Runs, compareRun(dir, d))
	}
	base := c.Runs[0]
	for i := range c.Runs {
		r := &c.Runs[i]
		r.Ratio = r.Figures.ratios(base.Figures)
	}
	return c, nil
}

func compareRun(dir string, d *Data) CompareRun {
	h := d.Header
	r := CompareRun{
		Label: h.Backend + " · " + h.Workload + " · " + filepath.Base(dir), Dir: dir, Verdict: h.Verdict,
		Backend: h.Backend, Workload: h.Workload, Nodes: len(h.Nodes),
		Figures: Figures{Availability: -1, FaultAvailability: -1},
		Clients: d.Clients, Bare: d.Bare,
	}
	if all, ok := d.Summary["all"]; ok {
		r.OpsPerS, r.P50US, r.P99US, r.P999US, r.MaxUS = all.OpsPerSec, all.P50US, all.P99US, all.P999US, all.MaxUS
		r.Curve = all.Percentiles
	}
	for _, row := range d.Availability {
		if row.Label == "whole run" {
			r.Availability = row.Availability
		}
	}
	var in, ok int64
	for i, row := range d.Availability {
		if i < len(d.Windows) {
			in += row.OK + row.Fail + row.Info
			ok += row.OK
			r.Windows = append(r.Windows, WindowAvailability{Kind: d.Windows[i].Kind, Label: row.Label,
				Start: row.Start, Stop: row.Stop, Availability: row.Availability})
		}
	}
	if in > 0 {
		r.FaultAvailability = results.Round(float64(ok)/float64(in), 4)
	}
	for _, e := range d.Errors {
		r.Errors += e.Count
	}
	r.T = d.Throughput.T
	r.OK = make([]int64, len(r.T))
	for _, s := range d.Throughput.Series {
		if s.Outcome == "ok" {
			for i, v := range s.Values {
				r.OK[i] += v
			}
		}
	}
	r.P99 = d.Latency.P99
	if r.T == nil {
		r.T, r.OK, r.P99 = []int{}, []int64{}, []int64{}
	}
	return r
}

// BareFigures are the harness against the bare loop over a backend's
// rounds of a case: each the median of the rounds' medians
// (results.Bare).
type BareFigures struct {
	BareOpsPerS    float64 `json:"bare_ops_per_s"`
	HarnessOpsPerS float64 `json:"harness_ops_per_s"`
	// Ratio is harness/bare; the harness's budget is >= 0.9.
	Ratio float64 `json:"ratio"`
	// RoundRatios lists every round's ratio, in round order.
	RoundRatios []float64 `json:"round_ratios"`
}

// bareFigures takes the bare measurements of runs (nil entries skipped)
// to their medians; nil when no run has one.
func bareFigures(runs []*results.Bare) *BareFigures {
	var bare, harness, ratios []float64
	for _, b := range runs {
		if b != nil && len(b.Rounds) > 0 {
			bare, harness, ratios = append(bare, b.BareOpsPerS), append(harness, b.HarnessOpsPerS), append(ratios, b.Ratio)
		}
	}
	if len(ratios) == 0 {
		return nil
	}
	return &BareFigures{BareOpsPerS: results.Round(results.Median(bare), 1), HarnessOpsPerS: results.Round(results.Median(harness), 1),
		Ratio: results.Round(results.Median(ratios), 3), RoundRatios: ratios}
}

// SettingsText says how a run drove its backend in one line: clients,
// loop, op timeout, and the connections they shared.
func SettingsText(c *results.Clients) string {
	if c == nil {
		return "–"
	}
	s := fmt.Sprintf("%d clients, %s loop", c.Clients, c.Loop)
	if c.Rate > 0 {
		s += fmt.Sprintf(" at %.0f ops/s", c.Rate)
	}
	s += fmt.Sprintf(", op timeout %gs", c.OpTimeoutS)
	if c.Conns > 0 {
		s += fmt.Sprintf(", %d shared connections", c.Conns)
	}
	if c.ReadMode != "" {
		s += ", reads " + c.ReadMode
	}
	return s
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return results.Round(a/b, 3)
}

// formatRatio writes a ratio to the baseline as "×1.23".
func formatRatio(v float64) string {
	if v == 0 {
		return "–"
	}
	return "×" + strconv.FormatFloat(v, 'f', 2, 64)
}

// WriteComparison renders c as one self-contained HTML page.
func WriteComparison(w io.Writer, c *Comparison) error {
	js, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("reports: encode comparison: %w", err)
	}
	return execute(w, "compare", &page{Title: "Faultline comparison", Assets: pageAssets, JSON: template.JS(js), Cmp: c})
}

// WriteCompareFile compares the runs in dirs and writes the page to path.
func WriteCompareFile(path string, dirs []string) error {
	c, err := Compare(dirs)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteComparison(&buf, c); err != nil {
		return err
	}
	return results.WriteFile(path, buf.Bytes())
}
