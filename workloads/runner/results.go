package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// SchemaVersion is the version of the results.json layout. It changes only
// when a field is removed or changes meaning; new fields may be added
// without a change.
const SchemaVersion = 1

// Verdicts of a run and of each check, merged as Jepsen's compose does:
// invalid over unknown over valid.
const (
	Valid   = "valid"
	Invalid = "invalid"
	Unknown = "unknown"
	// Failed is the run verdict when the run itself failed (no checks).
	Failed = "failed"
)

// Results is the content of results.json; doc.go documents every field.
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
	Config   workloads.Config  `json:"config"`
	Files    map[string]string `json:"files"`

	Phases []PhaseResult              `json:"phases"`
	Ops    map[string]OpStats         `json:"ops"`
	Series []Second                   `json:"series"`
	Events []history.Event            `json:"events"`
	RPC    map[string]backend.RPCStat `json:"rpc,omitempty"`
	Job    *JobResults                `json:"job,omitempty"`
	Checks []CheckResult              `json:"checks"`
}

// CheckResult is the outcome of one check of the history.
type CheckResult struct {
	// Name is "linearizable" or "append".
	Name string `json:"name"`
	// Verdict is Valid, Invalid or Unknown.
	Verdict string `json:"verdict"`
	// Summary is one line for the terminal and report header.
	Summary string `json:"summary"`
	// Keys lists the keys whose check failed (or was undecided) first.
	Keys []string `json:"keys,omitempty"`
	// Visualization is the file name of porcupine's HTML visualization,
	// relative to the results folder, when one was written.
	Visualization string `json:"visualization,omitempty"`
	// Details carries check-specific counts (for append: lost, duplicated,
	// unexpected tokens, ...).
	Details map[string]int64 `json:"details,omitempty"`
	// Anomalies explains examples of what was wrong (append checker, and
	// the failing keys of the linearizability check).
	Anomalies []checker.Anomaly `json:"anomalies,omitempty"`
	// DurationS is how long the check took.
	DurationS float64 `json:"duration_s"`
}

// Merge combines verdicts: any invalid makes the whole invalid, else any
// unknown makes it unknown, else valid. No checks at all is unknown.
func Merge(checks []CheckResult) string {
	if len(checks) == 0 {
		return Unknown
	}
	v := Valid
	for _, c := range checks {
		switch c.Verdict {
		case Invalid:
			return Invalid
		case Valid:
		default:
			v = Unknown
		}
	}
	return v
}

// WriteJSON writes v as indented JSON to dir/name, atomically (a temporary
// file renamed into place).
func WriteJSON(dir, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("results: write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// ReadResults reads a results.json.
func ReadResults(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	return &r, nil
}
