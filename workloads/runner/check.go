package runner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// CheckOptions say what to check and where.
type CheckOptions struct {
	// Config is the run's config: its workload kind and Check section pick
	// the checks.
	Config workloads.Config
	// HistoryPath is the history file to check.
	HistoryPath string
	// Dir is where visualizations are written (the results folder).
	Dir string
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Check runs the checks the config asks for on a saved history: the append
// checker for append workloads, porcupine per key for the others (unless
// check.linearizable is false). A history that cannot be read yields one
// unknown result saying why.
func Check(ctx context.Context, o CheckOptions) []CheckResult {
	ops, events, err := history.ReadFile(o.HistoryPath)
	if err != nil {
		return []CheckResult{{Name: "history", Verdict: Unknown, Summary: err.Error()}}
	}
	cfg := o.Config
	if cfg.Workload.Kind == workloads.KindAppend {
		return []CheckResult{checkAppend(ops)}
	}
	if cfg.Check.Linearizable != nil && !*cfg.Check.Linearizable {
		return nil
	}
	return []CheckResult{checkLinearizable(ctx, ops, events, cfg.Check.TimeLimit.D(), o.Dir)}
}

// HistoryCheckOptions bound an offline check.
type HistoryCheckOptions struct {
	// TimeLimit bounds the linearizability check.
	TimeLimit time.Duration
	// Dir is where a visualization is written.
	Dir string
	// Events are drawn as fault windows in the visualization.
	Events []history.Event
}

// CheckHistory checks ops whose workload is not known: a history whose
// writes are all appends of single append-workload tokens goes to the
// append checker; any other is checked for linearizability per key, with
// the register model (read, write, cas) or the key/value model (get, put,
// append).
func CheckHistory(ctx context.Context, ops []history.Op, o HistoryCheckOptions) []CheckResult {
	if isAppendHistory(ops) {
		return []CheckResult{checkAppend(ops)}
	}
	return []CheckResult{checkLinearizable(ctx, ops, o.Events, o.TimeLimit, o.Dir)}
}

// isAppendHistory reports whether ops has appends and every write is an
// append of exactly one token.
func isAppendHistory(ops []history.Op) bool {
	appends := 0
	for i := range ops {
		switch ops[i].Kind {
		case history.Append:
			t, n, err := history.ParseToken(ops[i].Value)
			if err != nil || n != len(ops[i].Value) || t.Client < 0 {
				return false
			}
			appends++
		case history.Get:
		default:
			return false
		}
	}
	return appends > 0
}

func checkAppend(ops []history.Op) CheckResult {
	start := time.Now()
	r, err := checker.CheckAppend(ops, checker.AppendOptions{})
	if err != nil {
		return CheckResult{Name: "append", Verdict: Unknown, Summary: fmt.Sprintf("cannot check: %v", err),
			DurationS: time.Since(start).Seconds()}
	}
	return fromChecker("append", &r, time.Since(start))
}

// fromChecker converts a checker result for results.json.
func fromChecker(name string, r *checker.Result, took time.Duration) CheckResult {
	c := CheckResult{
		Name: name, Verdict: r.Verdict.String(), Summary: r.Summary(),
		Keys:    append(append([]string(nil), r.FailingKeys...), r.UnknownKeys...),
		Details: r.Details(), Anomalies: r.Anomalies, DurationS: took.Seconds(),
	}
	return c
}
