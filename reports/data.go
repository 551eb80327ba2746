package reports

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"faultline/workloads/checker"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// Data is the data section of a report: everything the page script draws,
// computed and downsampled in Go. It is embedded as JSON; its layout is
// private to this package and its page script (and pinned by the golden
// test), not a public file format.
type Data struct {
	Header  Header   `json:"header"`
	Kinds   []string `json:"kinds"`
	Windows []Window `json:"windows"`
	// Intended are the scheduled windows of the faults, drawn outlined
	// beside the actual ones (Windows) on the charts.
	Intended     []Window          `json:"intended,omitempty"`
	Faults       []FaultRow        `json:"faults,omitempty"`
	Throughput   Throughput        `json:"throughput"`
	Latency      LatencySeries     `json:"latency"`
	Scatter      *Scatter          `json:"scatter,omitempty"`
	Percentiles  []Curve           `json:"percentiles"`
	Table        []PercentileRow   `json:"table"`
	Availability []AvailabilityRow `json:"availability"`
	Errors       []NamedCount      `json:"errors"`
	Events       []Window          `json:"events"`
	RPC          []RPCRow          `json:"rpc,omitempty"`
	Checks       []results.Check   `json:"checks"`
	Job          *JobView          `json:"job,omitempty"`
	// Network, Nodes and Sequence are the message network of backends
	// that route messages themselves (network.go, sequence.go).
	Network  *NetworkView      `json:"network,omitempty"`
	Nodes    []NodeRow         `json:"nodes,omitempty"`
	Sequence *Sequence         `json:"sequence,omitempty"`
	Phases   []results.Phase   `json:"phases"`
	Notes    []string          `json:"notes,omitempty"`
	Links    map[string]string `json:"links,omitempty"`
	// Summary is results.json's ops, for comparisons.
	Summary map[string]results.OpStats `json:"-"`
	// Clients and Bare are results.json's, for comparisons.
	Clients *results.Clients `json:"-"`
	Bare    *results.Bare    `json:"-"`
	// Embeds holds the visualizations small enough to embed in the page,
	// by file name.
	Embeds map[string]string `json:"-"`
}

// Header is the top of a report: what ran and what the checks concluded.
type Header struct {
	results.Run
	Headline string `json:"headline"`
	// FaultBanner names the fault windows that did not happen as
	// scheduled, when any did not: the run is not valid as tested.
	FaultBanner string            `json:"fault_banner,omitempty"`
	Started     string            `json:"started"`
	ElapsedS    float64           `json:"elapsed_s"`
	MeasureS    float64           `json:"measured_s"`
	Versions    []NamedText       `json:"versions"`
	Command     string            `json:"command"`
	Repro       string            `json:"repro"`
	Appends     *AppendCounts     `json:"appends,omitempty"`
	OpsPerS     float64           `json:"ops_per_sec"`
	P99US       int64             `json:"p99_us"`
	Files       map[string]string `json:"files,omitempty"`
}

// AppendCounts are the append check's headline numbers.
type AppendCounts struct {
	Lost       int64 `json:"lost"`
	Duplicated int64 `json:"duplicated"`
}

// NamedText is a name and a text, in a stable order.
type NamedText struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// NamedCount is a name and a count, in a stable order.
type NamedCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Window is a fault window or a point event, in seconds since the run
// started. A window still open at the end of the run has Open set and Stop
// at the end of the run.
type Window struct {
	Kind  string   `json:"kind"`
	Desc  string   `json:"desc,omitempty"`
	Nodes []string `json:"nodes,omitempty"`
	Start float64  `json:"start"`
	Stop  float64  `json:"stop"`
	Open  bool     `json:"open,omitempty"`
	Point bool     `json:"point,omitempty"`
}

// Throughput is ops completed per second, one column per op type and
// outcome that occurred.
type Throughput struct {
	T      []int         `json:"t"`
	Series []CountSeries `json:"series"`
}

// CountSeries is one column of Throughput.
type CountSeries struct {
	Kind    string  `json:"kind"`
	Outcome string  `json:"outcome"`
	Values  []int64 `json:"values"`
}

// LatencySeries are per-second latency percentiles (µs) of completed ops;
// a second with no ops has zeros.
type LatencySeries struct {
	T   []int   `json:"t"`
	P50 []int64 `json:"p50"`
	P99 []int64 `json:"p99"`
	Max []int64 `json:"max"`
}

// Curve is a percentile curve of one op type: [percentile, µs] pairs.
type Curve struct {
	Kind   string       `json:"kind"`
	Points [][2]float64 `json:"points"`
}

// PercentileRow is one row of the percentile table.
type PercentileRow struct {
	Kind string `json:"kind"`
	results.OpStats
}

// AvailabilityRow counts the ops invoked during one fault window (or
// outside every window, or over the whole run).
type AvailabilityRow struct {
	Label string  `json:"label"`
	Start float64 `json:"start"`
	Stop  float64 `json:"stop"`
	OK    int64   `json:"ok"`
	Fail  int64   `json:"fail"`
	Info  int64   `json:"info"`
	// Availability is OK over all ops; -1 when no op was invoked.
	Availability float64 `json:"availability"`
}

// RPCRow is the transport statistics of one RPC type.
type RPCRow struct {
	Name         string  `json:"name"`
	Calls        int64   `json:"calls"`
	Bytes        int64   `json:"bytes"`
	CallsPerOp   float64 `json:"calls_per_op"`
	BytesPerOp   float64 `json:"bytes_per_op"`
	BytesPerCall float64 `json:"bytes_per_call"`
}

// JobView is a MapReduce run: the job summary and its attempts, each with
// the row (worker) it is drawn on.
type JobView struct {
	results.Job
	Rows []string `json:"rows"`
	Row  []int    `json:"row"`
}

// Build reads a results folder (results.json and, when present, the
// history) and computes the data section of its report.
func Build(dir string) (*Data, error) {
	r, err := results.Read(dir)
	if err != nil {
		return nil, err
	}
	d := &Data{Summary: r.Ops, Clients: r.Clients, Bare: r.Bare}
	d.header(dir, r)
	d.Kinds = opKinds(r)
	end := runEnd(r)
	d.Windows, d.Events = windows(r.Events, end)
	d.throughput(r)
	d.latency(r)
	d.percentiles(r)
	d.errors(r)
	d.Checks = checksFirstFailing(r.Checks)
	d.faults(r)
	d.Phases = r.Phases
	if r.Job != nil {
		d.job(r.Job)
	}
	ops, hev, err := loadHistory(dir, r)
	if err != nil {
		return nil, err
	}
	if len(d.Events) == 0 && len(hev) > 0 {
		d.Windows, d.Events = windows(hev, end)
	}
	if ops != nil {
		d.Scatter = downsample(ops, MaxScatter, MaxScatterFailures)
		d.availabilityFromHistory(ops)
	} else {
		d.availabilityFromSeries(r)
	}
	d.rpc(r, len(ops))
	d.network(r)
	d.nodes(dir, r)
	d.sequence(dir, r)
	d.Links = links(dir, r)
	d.Embeds = embeds(dir, d.Checks)
	return d, nil
}

func (d *Data) header(dir string, r *results.Results) {
	h := Header{
		Run: r.Run, ElapsedS: r.ElapsedS, MeasureS: r.MeasureS,
		Command: shellJoin(r.Command), Files: r.Files,
	}
	if !r.Started.IsZero() {
		h.Started = r.Started.UTC().Format("2006-01-02 15:04:05 MST")
	}
	h.Headline = headline(r.Verdict, r.Workload)
	if r.Verdict == checker.Unknown && !slices.ContainsFunc(r.Checks, func(c results.Check) bool { return c.Name != results.FaultsCheck }) {
		h.Headline = "Unknown: no checks ran"
	}
	for _, k := range slices.Sorted(maps.Keys(r.Versions)) {
		h.Versions = append(h.Versions, NamedText{k, r.Versions[k]})
	}
	cfg := "config.yaml"
	if f := r.Files["config"]; f != "" {
		cfg = f
	}
	h.Repro = shellJoin([]string{"go", "run", "./bench", "-config", filepath.Join(dir, cfg), "-seed", fmt.Sprint(r.Seed)})
	for _, c := range r.Checks {
		if c.Name == "append" {
			h.Appends = &AppendCounts{Lost: c.Details["lost-append"], Duplicated: c.Details["duplicate-token"]}
		}
	}
	if all, ok := r.Ops["all"]; ok {
		h.OpsPerS, h.P99US = all.OpsPerSec, all.P99US
	}
	d.Header = h
}

// headline is the verdict in words.
func headline(verdict checker.Verdict, workload string) string {
	what := "linearizable"
	switch workload {
	case "append":
		what = "append-consistent"
	case "mapreduce":
		what = "output correct"
	}
	switch verdict {
	case checker.Valid:
		return strings.ToUpper(what[:1]) + what[1:]
	case checker.Invalid:
		if workload == "mapreduce" {
			return "Output WRONG"
		}
		return "NOT " + what
	case checker.Failed:
		return "Run failed"
	}
	return "Unknown"
}

// shellJoin quotes argv for a shell where needed.
func shellJoin(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) < 0 {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}

// opKinds lists the op types of the run (not "all"), sorted.
func opKinds(r *results.Results) []string {
	set := map[string]bool{}
	for k := range r.Ops {
		if k != "all" {
			set[k] = true
		}
	}
	for _, s := range r.Series {
		for k := range s.Ops {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// runEnd is the end of the run in seconds: the last phase's end, else the
// series' length, else the elapsed time.
func runEnd(r *results.Results) float64 {
	end := r.ElapsedS
	for _, p := range r.Phases {
		end = max(end, float64(p.EndNS)/1e9)
	}
	if n := len(r.Series); n > 0 {
		end = max(end, float64(r.Series[n-1].T+1))
	}
	return end
}

// windows splits events into fault windows (shaded on the charts) and the
// full timeline (windows and point events), both sorted by start.
func windows(evs []history.Event, end float64) (faults, all []Window) {
	for _, e := range evs {
		w := Window{Kind: e.Kind, Desc: e.Desc, Nodes: e.Nodes, Start: secs(e.Start)}
		switch {
		case e.Stop == history.Open:
			w.Stop, w.Open = max(end, w.Start), true
		case e.Stop == e.Start:
			w.Stop, w.Point = w.Start, true
		default:
			w.Stop = secs(e.Stop)
		}
		all = append(all, w)
		if !w.Point {
			faults = append(faults, w)
		}
	}
	byStart := func(a, b Window) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Stop, b.Stop))
	}
	slices.SortStableFunc(faults, byStart)
	slices.SortStableFunc(all, byStart)
	return faults, all
}

// secs converts run nanoseconds to seconds, rounded to the microsecond so
// that the data section stays short and stable.
func secs(ns int64) float64 { return float64(ns/1e3) / 1e6 }

var outcomeNames = [...]string{outcomeOK: "ok", outcomeFail: "fail", outcomeInfo: "info"}

func (d *Data) throughput(r *results.Results) {
	n := len(r.Series)
	d.Throughput.T = make([]int, n)
	for i, s := range r.Series {
		d.Throughput.T[i] = s.T
	}
	for _, k := range d.Kinds {
		for o, name := range outcomeNames {
			vals := make([]int64, n)
			any := false
			for i, s := range r.Series {
				c := s.Ops[k]
				vals[i] = [...]int64{c.OK, c.Fail, c.Info}[o]
				any = any || vals[i] != 0
			}
			if any {
				d.Throughput.Series = append(d.Throughput.Series, CountSeries{Kind: k, Outcome: name, Values: vals})
			}
		}
	}
	if d.Throughput.Series == nil {
		d.Throughput.Series = []CountSeries{}
	}
}

func (d *Data) latency(r *results.Results) {
	l := &d.Latency
	for _, s := range r.Series {
		l.T = append(l.T, s.T)
		l.P50 = append(l.P50, s.P50US)
		l.P99 = append(l.P99, s.P99US)
		l.Max = append(l.Max, s.MaxUS)
	}
}

func (d *Data) percentiles(r *results.Results) {
	names := append(slices.Clone(d.Kinds), "all")
	for _, k := range names {
		s, ok := r.Ops[k]
		if !ok {
			continue
		}
		d.Table = append(d.Table, PercentileRow{Kind: k, OpStats: withoutCurve(s)})
		if len(s.Percentiles) > 0 && s.Count > 0 {
			d.Percentiles = append(d.Percentiles, Curve{Kind: k, Points: s.Percentiles})
		}
	}
}

func withoutCurve(s results.OpStats) results.OpStats {
	s.Percentiles = nil
	return s
}

func (d *Data) errors(r *results.Results) {
	tot := map[string]int64{}
	for _, s := range r.Series {
		for k, n := range s.Errors {
			tot[k] += n
		}
	}
	d.Errors = []NamedCount{}
	for _, k := range slices.Sorted(maps.Keys(tot)) {
		d.Errors = append(d.Errors, NamedCount{k, tot[k]})
	}
}

// checksFirstFailing orders checks invalid first, then unknown, then
// valid, keeping the harness's order otherwise.
func checksFirstFailing(cs []results.Check) []results.Check {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b results.Check) int { return b.Verdict.Compare(a.Verdict) })
	if out == nil {
		out = []results.Check{}
	}
	return out
}

func (d *Data) job(j *results.Job) {
	v := &JobView{Job: *j}
	rows := map[string]int{}
	for _, a := range j.Attempts {
		if _, ok := rows[a.Worker]; !ok {
			rows[a.Worker] = 0
		}
	}
	v.Rows = slices.SortedFunc(maps.Keys(rows), naturalLess)
	for i, w := range v.Rows {
		rows[w] = i
	}
	for _, a := range j.Attempts {
		v.Row = append(v.Row, rows[a.Worker])
	}
	d.Job = v
}

// naturalLess orders names with numbers by value ("w2" before "w10").
func naturalLess(a, b string) int {
	ta, na := splitNumber(a)
	tb, nb := splitNumber(b)
	return cmp.Or(cmp.Compare(ta, tb), cmp.Compare(na, nb), cmp.Compare(a, b))
}

func splitNumber(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n := 0
	for _, c := range s[i:] {
		n = min(n*10+int(c-'0'), 1<<30)
	}
	return s[:i], n
}

// rpc computes per-op transport costs. The transport counts every call of
// the run, so they are divided by every op of the history (warm-up
// included), or by the measured op count when there is no history.
func (d *Data) rpc(r *results.Results, historyOps int) {
	if len(r.RPC) == 0 {
		return
	}
	ops := int64(historyOps)
	if ops == 0 {
		ops = r.Ops["all"].Count
	}
	var total RPCRow
	total.Name = "all"
	for _, name := range slices.Sorted(maps.Keys(r.RPC)) {
		s := r.RPC[name]
		d.RPC = append(d.RPC, rpcRow(name, s.Calls, s.Bytes, ops))
		total.Calls += s.Calls
		total.Bytes += s.Bytes
	}
	d.RPC = append(d.RPC, rpcRow("all", total.Calls, total.Bytes, ops))
}

func rpcRow(name string, calls, bytes, ops int64) RPCRow {
	row := RPCRow{Name: name, Calls: calls, Bytes: bytes}
	if ops > 0 {
		row.CallsPerOp = results.Round(float64(calls)/float64(ops), 3)
		row.BytesPerOp = results.Round(float64(bytes)/float64(ops), 1)
	}
	if calls > 0 {
		row.BytesPerCall = results.Round(float64(bytes)/float64(calls), 1)
	}
	return row
}

// links lists the files of the results folder the report points to, when
// they exist.
func links(dir string, r *results.Results) map[string]string {
	out := map[string]string{}
	for k, f := range r.Files {
		if f == "" || filepath.IsAbs(f) || strings.Contains(f, "..") {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			out[k] = filepath.ToSlash(f)
		}
	}
	for _, c := range r.Checks {
		if c.Visualization != "" {
			if _, err := os.Stat(filepath.Join(dir, c.Visualization)); err == nil {
				out["visualization"] = filepath.ToSlash(c.Visualization)
			}
		}
	}
	return out
}

// MaxEmbed is the largest visualization embedded in a report; a larger one
// is only linked.
const MaxEmbed = 4 << 20

// embeds reads the checks' visualizations that exist and are at most
// MaxEmbed bytes.
func embeds(dir string, checks []results.Check) map[string]string {
	out := map[string]string{}
	for _, c := range checks {
		f := c.Visualization
		if f == "" || filepath.IsAbs(f) || strings.Contains(f, "..") {
			continue
		}
		// Lstat: a link is not embedded, wherever it points.
		st, err := os.Lstat(filepath.Join(dir, f))
		if err != nil || !st.Mode().IsRegular() || st.Size() > MaxEmbed {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
			out[f] = string(b)
		}
	}
	return out
}
