package runner

import (
	"context"
	"log/slog"
	"time"

	"faultline/workloads/history"

	"faultline/workloads"
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

// Check runs the configured checks on a saved history.
func Check(ctx context.Context, o CheckOptions) []CheckResult {
	return []CheckResult{{Name: "linearizable", Verdict: Unknown, Summary: "checker not built yet"}}
}

// HistoryCheckOptions bound an offline check.
type HistoryCheckOptions struct {
	// TimeLimit bounds the linearizability check.
	TimeLimit time.Duration
	// Dir is where a visualization is written.
	Dir string
}

// CheckHistory checks ops whose workload is not known: register ops
// (read/write/cas) and key/value ops are checked for linearizability, and
// appends of append-workload tokens by the append checker as well.
func CheckHistory(ctx context.Context, ops []history.Op, o HistoryCheckOptions) []CheckResult {
	return []CheckResult{{Name: "linearizable", Verdict: Unknown, Summary: "checker not built yet"}}
}
