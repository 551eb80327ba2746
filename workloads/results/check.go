package results

import (
	"path/filepath"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/checker/elle"
)

// Check is the outcome of one check of a run.
type Check struct {
	// Name is "linearizable", "append", "output" or "faults"
	// (FaultsCheck).
	Name string `json:"name"`
	// Verdict is Valid, Invalid or Unknown.
	Verdict checker.Verdict `json:"verdict"`
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
	// Txn is the Elle-style isolation check's whole result (transactional
	// workloads): anomalies explained, cycles as ordered steps, the models
	// ruled out.
	Txn *elle.Result `json:"txn,omitempty"`
	// DurationS is how long the check took.
	DurationS float64 `json:"duration_s"`
}

// CheckOf records the result r of the check named name, which took took.
func CheckOf(name string, r *checker.Result, took time.Duration) Check {
	c := Check{
		Name: name, Verdict: r.Verdict, Summary: r.Summary(),
		Keys:    append(append([]string(nil), r.FailingKeys...), r.UnknownKeys...),
		Details: r.Details(), Anomalies: r.Anomalies, DurationS: took.Seconds(),
	}
	if r.Visualization != "" {
		c.Visualization = filepath.Base(r.Visualization)
	}
	return c
}

// Merge is the verdict of a run's checks: invalid over unknown over valid.
// A run none of whose checks judged the system (no checks at all, or only
// the FaultsCheck, which judges the schedule) is unknown.
func Merge(checks []Check) checker.Verdict {
	vs := make([]checker.Verdict, len(checks))
	judged := false
	for i := range checks {
		vs[i] = checks[i].Verdict
		judged = judged || checks[i].Name != FaultsCheck
	}
	if !judged {
		vs = append(vs, checker.Unknown)
	}
	return checker.MergeAll(vs...)
}

// Check returns the run's check called name, if it has one.
func (r *Results) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}
