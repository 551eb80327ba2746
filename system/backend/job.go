package backend

import (
	"context"
	"time"
)

// Batch is a Cluster that runs one batch job instead of serving key/value
// clients (MapReduce). The harness calls RunJob once, while the chaos
// controller applies faults through the cluster's other powers (Killer,
// Pauser) exactly as it does for a key/value cluster; the job's result is
// judged by a checker that compares Output with Reference.
type Batch interface {
	// RunJob runs the job to its end (or until ctx is done) and reports
	// what happened. An error means the job could not be run or judged
	// at all; a job that ran and produced wrong output is not an error.
	RunJob(ctx context.Context, job JobSpec) (JobReport, error)
}

// JobSpec describes one batch job.
type JobSpec struct {
	// App names the application ("wc", "indexer", …).
	App string
	// Inputs are the input files, one map task each.
	Inputs []string
	// Reduce is the number of reduce tasks.
	Reduce int
	// TaskTimeout is how long the coordinator waits for a task before
	// handing it to another worker.
	TaskTimeout time.Duration
	// Verify asks for a reference output from a sequential run of the same
	// application on the same inputs.
	Verify bool
	// Output is the directory the job writes its output files into; it
	// exists and is empty.
	Output string
}

// JobReport is what a batch job measured and produced.
type JobReport struct {
	// Elapsed is the job's wall time; Sequential the reference run's
	// (zero when not verified).
	Elapsed, Sequential time.Duration
	// Output is the directory holding the job's output files; Reference
	// the directory holding the sequential run's ("" when not verified).
	// A checker compares the two.
	Output, Reference string
	// WorkersStarted counts worker processes started, replacements
	// included; Crashes counts workers that died by themselves.
	WorkersStarted, Crashes int
	// Attempts is the per-task timeline, for a Gantt chart by worker.
	Attempts []TaskAttempt
}

// TaskAttempt is one execution of one task of a batch job.
type TaskAttempt struct {
	// Task is "map" or "reduce"; Index its number; Attempt counts from 1.
	Task    string
	Index   int
	Attempt int
	// Worker names the node that ran it.
	Worker string
	// Start and End are offsets from the job's start.
	Start, End time.Duration
	// Expired says the coordinator gave up waiting for it.
	Expired bool
	// Outcome is "completed", "ignored", "failed", "expired" or "" (still
	// running when the job ended, or its worker died).
	Outcome string
}
