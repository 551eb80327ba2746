package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// OutputDir is where a batch job writes its output, in the results folder.
const OutputDir = "output"

// runBatch runs a batch job (workload kind "mapreduce") on a cluster that
// implements backend.Batch, with the nemesis applying its faults (kills
// and pauses of worker nodes, through the cluster's Killer and Pauser
// powers) for as long as the job runs. It records the job in res and
// returns its report for the checkers.
func runBatch(ctx context.Context, s Spec, cluster backend.Cluster, hw *history.Writer, clock history.Clock,
	res *results.Results, status io.Writer, log *slog.Logger) (*checker.Job, error) {
	cfg := s.Config
	b, ok := cluster.(backend.Batch)
	if !ok {
		return nil, fmt.Errorf("runner: backend %q does not run batch jobs (workload kind %q)", cfg.Backend.Name, cfg.Workload.Kind)
	}
	job, err := JobSpec(&cfg, filepath.Join(s.Dir, OutputDir))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(job.Output, 0o755); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	res.Files["output"] = OutputDir
	ev := newEvents(clock, hw)
	if s.Nemesis != nil {
		if err := s.Nemesis.Setup(ctx, cluster); err != nil {
			return nil, fmt.Errorf("runner: nemesis setup: %w", err)
		}
	}
	stopObs := observe(cluster, ev)
	fmt.Fprintf(status, "running %s job %s: %d input files, %d reduce tasks, %d workers\n",
		cfg.Backend.Name, job.App, len(job.Inputs), job.Reduce, len(res.Nodes))
	nem := &nemesisLoop{n: s.Nemesis, ev: ev, log: log}
	nem.start(ctx)
	rep, err := b.RunJob(ctx, job)
	nem.stop(ctx)
	stopObs()
	res.Events = ev.closeAll()
	res.Faults = ev.Faults()
	if err != nil {
		return nil, fmt.Errorf("runner: job: %w", err)
	}
	res.Job = jobResults(job, &rep, len(res.Nodes), res.Events)
	return &checker.Job{Output: rep.Output, Reference: rep.Reference, Elapsed: rep.Elapsed, Sequential: rep.Sequential}, nil
}

// JobSpec is the job of a batch config: its input patterns expanded
// (sorted; one map task per file), writing its output into out.
func JobSpec(cfg *workloads.Config, out string) (backend.JobSpec, error) {
	j := cfg.Job
	if j == nil {
		return backend.JobSpec{}, fmt.Errorf("runner: workload kind %q needs a job section", cfg.Workload.Kind)
	}
	var files []string
	for _, pat := range j.Input {
		m, err := filepath.Glob(pat)
		if err != nil {
			return backend.JobSpec{}, fmt.Errorf("job.input %q: %w", pat, err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return backend.JobSpec{}, fmt.Errorf("job.input %v matches no files", j.Input)
	}
	return backend.JobSpec{
		App: j.App, Inputs: files, Reduce: j.Reduce, TaskTimeout: j.TaskTimeout.D(),
		Verify: j.Verify == nil || *j.Verify, Output: out,
	}, nil
}

// jobResults records a batch job's report for results.json; kills and
// stalls are the fault schedule's kill and pause windows.
func jobResults(job backend.JobSpec, rep *backend.JobReport, workers int, events []history.Event) *results.Job {
	j := &results.Job{
		App: job.App, Inputs: job.Inputs, Reduce: job.Reduce, Workers: workers,
		ElapsedS: rep.Elapsed.Seconds(), SequentialS: rep.Sequential.Seconds(), Verified: rep.Reference != "",
		WorkersStarted: rep.WorkersStarted, Crashes: rep.Crashes,
		Attempts: make([]results.Attempt, 0, len(rep.Attempts)),
	}
	for _, e := range events {
		switch e.Kind {
		case "kill":
			j.Kills += max(1, len(e.Nodes))
		case "pause":
			j.Stalls += max(1, len(e.Nodes))
		}
	}
	for _, a := range rep.Attempts {
		j.Attempts = append(j.Attempts, results.Attempt{
			Task: a.Task, Index: a.Index, Attempt: a.Attempt, Worker: a.Worker,
			StartS: a.Start.Seconds(), EndS: a.End.Seconds(), Expired: a.Expired, Outcome: a.Outcome,
		})
	}
	return j
}
