package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SchemaVersion is the results.json schema this package reads.
const SchemaVersion = 1

// Verdicts of a run and of its checks.
const (
	Valid   = "valid"
	Invalid = "invalid"
	Unknown = "unknown"
	Failed  = "failed"
)

// Results mirrors results.json (schema 1). Only the fields the pages use
// are declared; the rest are ignored when decoding.
type Results struct {
	Schema   int               `json:"schema"`
	Name     string            `json:"name"`
	Verdict  string            `json:"verdict"`
	Error    string            `json:"error,omitempty"`
	Backend  string            `json:"backend"`
	Mode     string            `json:"mode"`
	Nodes    []string          `json:"nodes"`
	Workload string            `json:"workload"`
	Seed     int64             `json:"seed"`
	Command  []string          `json:"command"`
	Started  time.Time         `json:"started"`
	ElapsedS float64           `json:"elapsed_s"`
	MeasureS float64           `json:"measured_s"`
	Versions map[string]string `json:"versions"`
	Files    map[string]string `json:"files"`

	Phases []Phase            `json:"phases"`
	Ops    map[string]OpStats `json:"ops"`
	Series []Second           `json:"series"`
	Events []Event            `json:"events"`
	RPC    map[string]RPCStat `json:"rpc,omitempty"`
	Job    *Job               `json:"job,omitempty"`
	Checks []Check            `json:"checks"`
}

// Phase is one phase of the load, in run order.
type Phase struct {
	Name     string  `json:"name"`
	Measured bool    `json:"measured"`
	Loop     string  `json:"loop"`
	Rate     float64 `json:"rate,omitempty"`
	StartNS  int64   `json:"start_ns"`
	EndNS    int64   `json:"end_ns"`
	Ops      int64   `json:"ops"`
	Missed   int64   `json:"missed,omitempty"`
}

// OpStats summarises one op type over the measured phases.
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
	// Percentiles are [percentile, µs] pairs from 0 to 100.
	Percentiles [][2]float64 `json:"percentiles"`
}

// Counts are op counts by outcome.
type Counts struct {
	OK   int64 `json:"ok"`
	Fail int64 `json:"fail"`
	Info int64 `json:"info"`
}

// Second is one second of the run's time series.
type Second struct {
	T      int               `json:"t"`
	Ops    map[string]Counts `json:"ops"`
	P50US  int64             `json:"p50_us"`
	P90US  int64             `json:"p90_us"`
	P99US  int64             `json:"p99_us"`
	MaxUS  int64             `json:"max_us"`
	Errors map[string]int64  `json:"errors,omitempty"`
}

// OpenStop is the Stop of an event still active when the run ended.
const OpenStop int64 = -1

// Event is a fault window or cluster event, in run nanoseconds.
type Event struct {
	Kind  string   `json:"kind"`
	Start int64    `json:"start"`
	Stop  int64    `json:"stop"`
	Nodes []string `json:"nodes,omitempty"`
	Desc  string   `json:"desc,omitempty"`
}

// RPCStat counts the calls and bytes of one RPC type.
type RPCStat struct {
	Calls int64 `json:"calls"`
	Bytes int64 `json:"bytes"`
}

// Job describes a MapReduce batch run.
type Job struct {
	App            string    `json:"app"`
	Inputs         []string  `json:"inputs"`
	Reduce         int       `json:"reduce"`
	Workers        int       `json:"workers"`
	ElapsedS       float64   `json:"elapsed_s"`
	SequentialS    float64   `json:"sequential_s,omitempty"`
	Verified       bool      `json:"verified"`
	WorkersStarted int       `json:"workers_started"`
	Kills          int       `json:"kills"`
	Stalls         int       `json:"stalls"`
	Crashes        int       `json:"crashes"`
	Attempts       []Attempt `json:"attempts"`
}

// Attempt is one execution of one MapReduce task.
type Attempt struct {
	Task    string  `json:"task"`
	Index   int     `json:"index"`
	Attempt int     `json:"attempt"`
	Worker  string  `json:"worker"`
	StartS  float64 `json:"start_s"`
	EndS    float64 `json:"end_s"`
	Expired bool    `json:"expired,omitempty"`
	Outcome string  `json:"outcome,omitempty"`
}

// Check is the outcome of one check of the history.
type Check struct {
	Name          string           `json:"name"`
	Verdict       string           `json:"verdict"`
	Summary       string           `json:"summary"`
	Keys          []string         `json:"keys,omitempty"`
	Visualization string           `json:"visualization,omitempty"`
	Details       map[string]int64 `json:"details,omitempty"`
	Anomalies     []Anomaly        `json:"anomalies,omitempty"`
	DurationS     float64          `json:"duration_s"`
}

// Anomaly explains one example of what a check found wrong.
type Anomaly struct {
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	Text  string `json:"text"`
	Steps []Step `json:"steps,omitempty"`
}

// Step is one op of an anomaly.
type Step struct {
	Op   int    `json:"op"`
	Desc string `json:"desc"`
	Then string `json:"then,omitempty"`
}

// ReadResults reads dir/results.json and checks its schema version.
func ReadResults(dir string) (*Results, error) {
	path := filepath.Join(dir, "results.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reports: %s: %w", path, err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("reports: %s: schema %d, want %d", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}
