package runner

import (
	"context"
	"time"

	"faultline/workloads/history"
)

// checkLinearizable runs porcupine per key with a time limit, writing the
// visualization into dir on a violation.
func checkLinearizable(ctx context.Context, ops []history.Op, limit time.Duration, dir string) CheckResult {
	return CheckResult{Name: "linearizable", Verdict: Unknown, Summary: "linearizability checker not wired yet"}
}
