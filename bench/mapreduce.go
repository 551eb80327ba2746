package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/mapreduce"
	"faultline/system/mr"
	"faultline/workloads"
	"faultline/workloads/runner"
)

// mapreduceBackend names the MapReduce batch backend.
const mapreduceBackend = "mapreduce"

// runJob runs a MapReduce batch job: the backend "mapreduce" with
// workload kind "mapreduce". Its verdict is valid when the output equals
// the sequential reference, invalid when it differs, unknown when not
// verified.
func runJob(ctx context.Context, cfg *workloads.Config, dir string, res *runner.Results, stdout io.Writer) error {
	j := cfg.Job
	var files []string
	for _, pat := range j.Input {
		m, err := filepath.Glob(pat)
		if err != nil {
			return fmt.Errorf("job.input %q: %w", pat, err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return fmt.Errorf("job.input %v matches no files", j.Input)
	}
	if j.KillEvery > 0 || j.StallEvery > 0 {
		return fmt.Errorf("job.kill_every and job.stall_every: worker kills and stalls now come from the fault schedule (backend mapreduce has the kill and pause powers)")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "output")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	clusterDir, err := os.MkdirTemp("", "faultline-mapreduce-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(clusterDir)
	spec := backend.Spec{Nodes: j.Workers, Mode: backend.Mode(cfg.Backend.Mode), Dir: clusterDir,
		Exec: []string{exe, "node", mapreduce.Name}, Seed: cfg.Seed, Options: cfg.Backend.Options}
	c, err := mapreduce.Backend{}.Start(ctx, spec)
	if err != nil {
		return err
	}
	defer c.Stop(context.Background())
	fmt.Fprintf(stdout, "running MapReduce %s: %d input files, %d reduce tasks, %d workers\n", j.App, len(files), j.Reduce, j.Workers)
	start := time.Now()
	jr, err := c.(backend.Batch).RunJob(ctx, backend.JobSpec{App: j.App, Inputs: files, Reduce: j.Reduce,
		TaskTimeout: j.TaskTimeout.D(), Verify: *j.Verify, Output: out})
	res.ElapsedS = time.Since(start).Seconds()
	res.Files["output"] = "output"
	verified := false
	if err == nil && *j.Verify {
		err = mr.CompareOutputs(jr.Output, jr.Reference)
		verified = err == nil
	}
	res.Job = &runner.JobResults{
		App: j.App, Inputs: files, Reduce: j.Reduce, Workers: j.Workers,
		ElapsedS: jr.Elapsed.Seconds(), SequentialS: jr.Sequential.Seconds(), Verified: verified,
		WorkersStarted: jr.WorkersStarted, Crashes: jr.Crashes,
	}
	for _, a := range jr.Attempts {
		res.Job.Attempts = append(res.Job.Attempts, runner.TaskAttempt{Task: a.Task, Index: a.Index, Attempt: a.Attempt,
			Worker: a.Worker, StartS: a.Start.Seconds(), EndS: a.End.Seconds(), Expired: a.Expired, Outcome: a.Outcome})
	}
	check := runner.CheckResult{Name: "output", DurationS: jr.Sequential.Seconds()}
	switch {
	case errors.Is(err, mr.ErrMismatch):
		check.Verdict, check.Summary = runner.Invalid, "job output differs from the sequential reference"
	case err != nil:
		return err
	case verified:
		check.Verdict = runner.Valid
		check.Summary = fmt.Sprintf("output equals the sequential reference (job %.2fs, sequential %.2fs)",
			jr.Elapsed.Seconds(), jr.Sequential.Seconds())
	default:
		check.Verdict, check.Summary = runner.Unknown, "output not verified (job.verify is false)"
	}
	res.Checks = []runner.CheckResult{check}
	res.Verdict = runner.Merge(res.Checks)
	return nil
}
