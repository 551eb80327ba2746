package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// SchemaVersion is the version of the results.json layout. It changes only
// when a field is removed or changes meaning; new fields may be added
// without a change.
const SchemaVersion = 1

// File is the name of the results file in a results folder.
const File = "results.json"

// Results is the content of results.json; doc.go documents every field.
type Results struct {
	Schema int `json:"schema"`
	Run
	Command  []string          `json:"command"`
	Started  time.Time         `json:"started"`
	ElapsedS float64           `json:"elapsed_s"`
	MeasureS float64           `json:"measured_s"`
	Versions map[string]string `json:"versions"`
	Config   workloads.Config  `json:"config"`
	Files    map[string]string `json:"files"`

	Phases []Phase            `json:"phases"`
	Ops    map[string]OpStats `json:"ops"`
	Series []Second           `json:"series"`
	Events []history.Event    `json:"events"`
	Faults []Fault            `json:"faults,omitempty"`
	RPC    map[string]RPCStat `json:"rpc,omitempty"`
	// Clients says how the backend was driven; Bare, the harness against
	// the backend's bare loop (config section bare).
	Clients *Clients `json:"clients,omitempty"`
	Bare    *Bare    `json:"bare,omitempty"`
	Job     *Job     `json:"job,omitempty"`
	// Network and NodeStats are the message network's and the node
	// processes' statistics of backends that route messages themselves
	// (Maelstrom nodes); the network's journal is in JournalFile.
	Network   *Network    `json:"network,omitempty"`
	NodeStats []NodeStats `json:"node_stats,omitempty"`
	Checks    []Check     `json:"checks"`
}

// Run is what ran and what the checks concluded: the run's name and
// verdict (with the error that ended it, if one did), the backend, its
// mode and nodes, the workload and the seed. results.json carries its
// fields inline; a report's header repeats them.
type Run struct {
	Name     string          `json:"name"`
	Verdict  checker.Verdict `json:"verdict"`
	Error    string          `json:"error,omitempty"`
	Backend  string          `json:"backend"`
	Mode     string          `json:"mode"`
	Nodes    []string        `json:"nodes"`
	Workload string          `json:"workload"`
	Seed     int64           `json:"seed"`
}

// Phase records one phase of the load as it ran.
type Phase struct {
	Name     string  `json:"name"`
	Measured bool    `json:"measured"`
	Loop     string  `json:"loop"`
	Rate     float64 `json:"rate,omitempty"`
	StartNS  int64   `json:"start_ns"`
	EndNS    int64   `json:"end_ns"`
	Ops      int64   `json:"ops"`
	// Missed counts open-loop ops whose intended start fell in the phase
	// but that were never issued because the phase ended first (the
	// backend fell behind the target rate).
	Missed int64 `json:"missed,omitempty"`
}

// OpStats summarises the measured ops of one type (or "all"). Latencies are
// in microseconds, measured from each op's intended start in an open loop.
type OpStats struct {
	Count     int64   `json:"count"`
	OK        int64   `json:"ok"`
	Fail      int64   `json:"fail"`
	Info      int64   `json:"info"`
	OpsPerSec float64 `json:"ops_per_sec"`
	MeanUS    float64 `json:"mean_us"`
	P50US     int64   `json:"p50_us"`
	P90US     int64   `json:"p90_us"`
	P99US     int64   `json:"p99_us"`
	P999US    int64   `json:"p999_us"`
	P9999US   int64   `json:"p9999_us"`
	MaxUS     int64   `json:"max_us"`
	// Percentiles samples the latency distribution for plotting: pairs of
	// percentile and latency in µs, from 0 to 100.
	Percentiles [][2]float64 `json:"percentiles"`
}

// Second is one point of the per-second series.
type Second struct {
	// T is the second's start, in seconds since the run started.
	T int `json:"t"`
	// Ops counts the ops that completed in this second, per type, by
	// outcome.
	Ops map[string]Counts `json:"ops"`
	// Latency percentiles (µs) of every op completed in this second.
	P50US int64 `json:"p50_us"`
	P90US int64 `json:"p90_us"`
	P99US int64 `json:"p99_us"`
	MaxUS int64 `json:"max_us"`
	// Errors counts errors by kind ("timeout", "unreachable", "definite",
	// "canceled", "other").
	Errors map[string]int64 `json:"errors,omitempty"`
}

// Counts are op counts by outcome.
type Counts struct {
	OK   int64 `json:"ok"`
	Fail int64 `json:"fail"`
	Info int64 `json:"info"`
}

// Add counts one op of outcome o.
func (c *Counts) Add(o history.Outcome) {
	switch o {
	case history.OK:
		c.OK++
	case history.Fail:
		c.Fail++
	default:
		c.Info++
	}
}

// RPCStat counts the calls and bytes of one kind of RPC.
type RPCStat struct {
	Calls int64 `json:"calls"`
	Bytes int64 `json:"bytes"`
}

// Write writes r as indented JSON to dir/results.json, atomically.
func Write(dir string, r *Results) error { return WriteJSON(dir, File, r) }

// WriteJSON writes v as indented JSON to dir/name, atomically.
func WriteJSON(dir, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode %s: %w", name, err)
	}
	return WriteFile(filepath.Join(dir, name), append(b, '\n'))
}

// WriteFile writes b to path through a temporary file renamed into place,
// so that a reader never sees half a file; the file is readable by all.
func WriteFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Read reads dir/results.json and checks its schema version.
func Read(dir string) (*Results, error) {
	return ReadFile(filepath.Join(dir, File))
}

// ReadFile reads a results.json file and checks its schema version.
// Unknown fields are ignored, so that results written by a newer harness
// within the same schema still open.
func ReadFile(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("results: %s: schema %d, want %d", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}
