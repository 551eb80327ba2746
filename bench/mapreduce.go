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
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "output")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	jc := mr.JobConfig{
		App: j.App, Files: files, NReduce: j.Reduce, Workers: j.Workers,
		InProcess: cfg.Backend.Mode == "inprocess", Dir: out, TaskTimeout: j.TaskTimeout.D(),
		Chaos:  mr.Chaos{KillEvery: j.KillEvery.D(), StallEvery: j.StallEvery.D()},
		Verify: *j.Verify, Seed: cfg.Seed, Executable: exe,
	}
	fmt.Fprintf(stdout, "running MapReduce %s: %d input files, %d reduce tasks, %d workers\n", j.App, len(files), j.Reduce, j.Workers)
	start := time.Now()
	jr, err := mr.RunJob(ctx, jc)
	res.ElapsedS = time.Since(start).Seconds()
	res.Files["output"] = "output"
	res.Job = &runner.JobResults{
		App: j.App, Inputs: files, Reduce: j.Reduce, Workers: j.Workers,
		ElapsedS: jr.Elapsed.Seconds(), SequentialS: jr.Sequential.Seconds(), Verified: jr.Verified,
		WorkersStarted: jr.WorkersStarted, Kills: jr.Kills, Stalls: jr.Stalls, Crashes: jr.Crashes,
	}
	for _, a := range mr.Attempts(jr.Timeline) {
		ta := runner.TaskAttempt{Task: a.Task.Kind.String(), Index: a.Task.Index, Attempt: a.Attempt, Worker: a.Worker,
			StartS: a.Start.Seconds(), EndS: a.End.Seconds(), Expired: a.Expired}
		if a.Outcome != 0 {
			ta.Outcome = a.Outcome.String()
		}
		res.Job.Attempts = append(res.Job.Attempts, ta)
	}
	check := runner.CheckResult{Name: "output", DurationS: jr.Sequential.Seconds()}
	switch {
	case errors.Is(err, mr.ErrMismatch):
		check.Verdict, check.Summary = runner.Invalid, "job output differs from the sequential reference"
	case err != nil:
		return err
	case jr.Verified:
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
