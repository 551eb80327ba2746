package checker

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"faultline/workloads/history"
)

// Run is what a checker judges: a run's recorded history and, for a batch
// job, the job's report.
type Run struct {
	// Ops and Events are the run's history.
	Ops    []history.Op
	Events []history.Event
	// Keyed, when set, is the same history split by key (as
	// history.ReadKeyed reads a file); Ops may then be nil. The porcupine
	// checks use it as it is, sparing a copy.
	Keyed *history.Keyed
	// Job is a batch job's report; nil for a key/value run.
	Job *Job
	// Dir is where a checker may write files (porcupine's visualization);
	// "" writes none.
	Dir string
}

// Job is what the output check needs of a batch job's report
// (backend.JobReport, converted by the engine): the directories of its
// output and of its reference output ("" when not verified), and how long
// each took.
type Job struct {
	Output, Reference   string
	Elapsed, Sequential time.Duration
}

// Checker judges one run. Implementations are values; the engine calls
// each once, after the run, and merges their verdicts with MergeAll.
type Checker interface {
	// Name names the check in results ("linearizable", "append", "output").
	Name() string
	// Check judges r. It never returns Valid for what it could not judge.
	Check(ctx context.Context, r Run) Result
}

// VisualizationFile is the name of porcupine's HTML visualization, written
// into the run's Dir on a violation.
const VisualizationFile = "linearizability.html"

// Linearizable checks a key/value or register history per key with
// porcupine: the register model when the history has read/write/cas ops,
// the key/value model otherwise.
type Linearizable struct {
	// TimeLimit bounds the whole check (and ctx's deadline too); past it
	// the verdict is Unknown, never Valid. Zero is no limit of its own.
	TimeLimit time.Duration
}

// Name returns "linearizable".
func (Linearizable) Name() string { return "linearizable" }

// Check implements Checker. On a violation it writes the visualization of
// the first failing key into r.Dir, with r.Events drawn as fault windows.
func (l Linearizable) Check(ctx context.Context, r Run) Result {
	limit := l.TimeLimit
	if d, ok := ctx.Deadline(); ok && (limit <= 0 || time.Until(d) < limit) {
		limit = time.Until(d)
	}
	opts := PorcupineOptions{Timeout: limit, Events: r.Events}
	if r.Dir != "" {
		opts.VisualizationPath = filepath.Join(r.Dir, VisualizationFile)
	}
	k := r.Keyed
	if k == nil {
		var err error
		if k, err = history.Split(r.Ops, nil); err != nil {
			return Result{Checker: "kv", Verdict: Unknown, Text: fmt.Sprintf("cannot check: %v", err)}
		}
	}
	check := CheckKeyedKV
	if k.HasKind(history.Read, history.Write, history.CAS) {
		check = CheckKeyedRegister
	}
	res, err := check(k, opts)
	if err == nil {
		return res
	}
	if res.Verdict == Valid {
		// The history could not be judged: never call it valid.
		res.Verdict = Unknown
	}
	res.Text = res.Summary() + fmt.Sprintf(" (%v)", err)
	if res.Ops == 0 && res.Keys == 0 {
		res.Verdict, res.Text = Unknown, fmt.Sprintf("cannot check: %v", err)
	}
	return res
}

// Append is the exact check of append histories (CheckAppend).
type Append struct{}

// Name returns "append".
func (Append) Name() string { return "append" }

// Check implements Checker.
func (Append) Check(_ context.Context, r Run) Result {
	ops := r.Ops
	if ops == nil && r.Keyed != nil {
		ops = r.Keyed.Flat()
	}
	res, err := CheckAppend(ops, AppendOptions{})
	if err != nil {
		return Result{Checker: "append", Verdict: Unknown, Text: fmt.Sprintf("cannot check: %v", err)}
	}
	return res
}

// ForHistory picks the check of a history whose workload is not known: a
// history whose writes are all appends of single append-workload tokens
// goes to the append checker; any other is checked for linearizability per
// key within limit.
func ForHistory(ops []history.Op, limit time.Duration) Checker {
	n, ok := appendOnly(ops)
	return pick(ok && n > 0, limit)
}

// ForKeyed is ForHistory for a history split by key.
func ForKeyed(k *history.Keyed, limit time.Duration) Checker {
	appends := 0
	for i := range k.Parts {
		n, ok := appendOnly(k.Parts[i].Ops)
		if !ok {
			return pick(false, limit)
		}
		appends += n
	}
	return pick(appends > 0, limit)
}

func pick(appendHistory bool, limit time.Duration) Checker {
	if appendHistory {
		return Append{}
	}
	return Linearizable{TimeLimit: limit}
}

// appendOnly reports whether every write of ops is an append of exactly
// one token, and counts the appends.
func appendOnly(ops []history.Op) (int, bool) {
	appends := 0
	for i := range ops {
		switch ops[i].Kind {
		case history.Append:
			t, n, err := history.ParseToken(ops[i].Value)
			if err != nil || n != len(ops[i].Value) || t.Client < 0 {
				return appends, false
			}
			appends++
		case history.Get:
		default:
			return appends, false
		}
	}
	return appends, true
}
