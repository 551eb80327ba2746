package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// VisualizationFile is the name of porcupine's HTML visualization, written
// into the results folder beside the history on a violation.
const VisualizationFile = "linearizability.html"

// checkLinearizable runs porcupine per key, bounded by limit as a whole,
// with the register model when the history has read/write/cas ops and the
// key/value model otherwise. On a violation it writes the visualization of
// the first failing key into dir, with events drawn as fault windows.
func checkLinearizable(ctx context.Context, ops []history.Op, events []history.Event, limit time.Duration, dir string) CheckResult {
	start := time.Now()
	if d, ok := ctx.Deadline(); ok && (limit <= 0 || time.Until(d) < limit) {
		limit = time.Until(d)
	}
	opts := checker.PorcupineOptions{Timeout: limit, Events: events}
	if dir != "" {
		opts.VisualizationPath = filepath.Join(dir, VisualizationFile)
	}
	check := checker.CheckKV
	for i := range ops {
		if k := ops[i].Kind; k == history.Read || k == history.Write || k == history.CAS {
			check = checker.CheckRegister
			break
		}
	}
	r, err := check(ops, opts)
	if err != nil && r.Verdict == checker.Valid {
		// The history could not be judged: never call it valid.
		r.Verdict = checker.Unknown
	}
	c := fromChecker("linearizable", &r, time.Since(start))
	if err != nil {
		c.Summary += fmt.Sprintf(" (%v)", err)
		if r.Ops == 0 && r.Keys == 0 {
			c.Verdict, c.Summary = Unknown, fmt.Sprintf("cannot check: %v", err)
		}
	}
	if r.Visualization != "" {
		c.Visualization = filepath.Base(r.Visualization)
	}
	return c
}
