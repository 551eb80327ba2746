package runner

import (
	"context"
	"time"

	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/checker/elle"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// Checkers returns the checks a config asks for: the output check for a
// batch job, the append check for append workloads, elle for the
// transactional ones, porcupine per key for
// the others unless check.linearizable is false (then none, and the run's
// verdict is unknown).
func Checkers(cfg *workloads.Config) []checker.Checker {
	switch cfg.Workload.Kind {
	case workloads.KindMapReduce:
		return []checker.Checker{checker.Output{}}
	case workloads.KindAppend:
		return []checker.Checker{checker.Append{}}
	}
	if workloads.IsTxn(cfg.Workload.Kind) {
		opts, _ := TxnOptions(cfg) // a validated config's models parse
		return []checker.Checker{elle.Checker{Options: opts}}
	}
	if cfg.Check.Linearizable != nil && !*cfg.Check.Linearizable {
		return []checker.Checker{}
	}
	return []checker.Checker{checker.Linearizable{TimeLimit: cfg.Check.TimeLimit.D()}}
}

// Check runs checkers on the history saved at path (and a batch job's
// report, nil for none), writing their files into dir. A history that
// cannot be read yields one unknown check saying why.
func Check(ctx context.Context, path string, job *checker.Job, checkers []checker.Checker, dir string) []results.Check {
	// Split by key while reading: the porcupine check works per key, and
	// the append check flattens the parts itself.
	k, err := history.ReadKeyedFile(path)
	if err != nil {
		return []results.Check{{Name: "history", Verdict: checker.Unknown, Summary: err.Error()}}
	}
	return CheckRun(ctx, checker.Run{Keyed: k, Events: k.Events, Job: job, Dir: dir}, checkers)
}

// CheckRun runs each checker on r and records its result (elle's whole,
// by TxnCheck).
func CheckRun(ctx context.Context, r checker.Run, checkers []checker.Checker) []results.Check {
	out := make([]results.Check, 0, len(checkers))
	for _, c := range checkers {
		if e, ok := c.(elle.Checker); ok {
			out = append(out, TxnCheck(r, e.Options))
			continue
		}
		start := time.Now()
		res := c.Check(ctx, r)
		out = append(out, results.CheckOf(c.Name(), &res, time.Since(start)))
	}
	return out
}
