package mapreduce

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/mr"
)

// shutdownGrace is how long workers get to exit by themselves once the
// job is done (they hear it from the coordinator) before they are killed.
const shutdownGrace = 5 * time.Second

// RunJob implements backend.Batch: it starts a coordinator for the job on
// a free loopback port and one worker per node, replaces workers that die
// by themselves (up to the option maxrestarts), and returns once the job
// is done and every worker has stopped. With js.Verify it then runs the
// sequential reference into a directory of its own under Spec.Dir. A job
// that fails (a task failed too often), ctx ending or Stop are errors; the
// report still holds what was measured. One job runs at a time.
func (c *Cluster) RunJob(ctx context.Context, js backend.JobSpec) (backend.JobReport, error) {
	rep := backend.JobReport{Output: js.Output}
	files, app, err := c.check(js)
	if err != nil {
		return rep, err
	}
	opts := []mr.Option{mr.WithAddress("127.0.0.1:0"), mr.WithTCPConfig(c.secret.Config())}
	if js.TaskTimeout > 0 {
		opts = append(opts, mr.WithTaskTimeout(js.TaskTimeout))
	}
	if c.spec.Logger != nil {
		opts = append(opts, mr.WithLogger(c.spec.Logger))
	}
	coord, err := mr.StartCoordinator(files, js.Reduce, opts...)
	if err != nil {
		return rep, err
	}
	defer coord.Close()
	j := &job{worker: mr.WorkerConfig{App: js.App, Coordinator: coord.Addr(), Dir: js.Output, SecretFile: c.secret.File},
		starts: make([]int, len(c.names)), wake: make(chan struct{}, 1)}
	if c.opts.serve {
		j.worker.Serve = "127.0.0.1:0"
		if j.scratch, err = os.MkdirTemp(c.spec.Dir, "scratch-*"); err != nil {
			return rep, fmt.Errorf("mapreduce: %w", err)
		}
		defer os.RemoveAll(j.scratch)
	}
	c.mu.Lock()
	if c.job != nil {
		c.mu.Unlock()
		return rep, errors.New("mapreduce: a job is already running")
	}
	c.job = j
	c.mu.Unlock()

	err = c.supervise(ctx, coord, j)
	c.finish(coord)
	c.mu.Lock()
	rep.WorkersStarted, rep.Crashes = j.started, j.crashes
	c.mu.Unlock()
	timeline := coord.Timeline()
	rep.Elapsed = jobElapsed(timeline)
	rep.Attempts = attempts(timeline)
	if err == nil {
		err = coord.Err()
	}
	if err != nil || !js.Verify {
		return rep, err
	}
	rep.Reference, rep.Sequential, err = c.reference(app, files)
	return rep, err
}

// check validates a job and returns its inputs as absolute paths and the
// application of its reference run.
func (c *Cluster) check(js backend.JobSpec) ([]string, mr.App, error) {
	switch {
	case len(js.Inputs) == 0:
		return nil, mr.App{}, errors.New("mapreduce: job: no input files")
	case js.Reduce < 1:
		return nil, mr.App{}, fmt.Errorf("mapreduce: job: Reduce = %d, want >= 1", js.Reduce)
	case js.Output == "":
		return nil, mr.App{}, errors.New("mapreduce: job: Output is empty")
	case js.TaskTimeout < 0:
		return nil, mr.App{}, fmt.Errorf("mapreduce: job: TaskTimeout = %v, want >= 0", js.TaskTimeout)
	case c.spec.Mode == backend.ModeInProcess && js.App == "crash":
		return nil, mr.App{}, errors.New("mapreduce: job: the crash app needs worker processes, not in-process workers")
	}
	app, err := mr.OpenApp(js.App)
	if err != nil {
		return nil, mr.App{}, err
	}
	if js.App == "crash" {
		// The reference runs in this process: the crash app would end
		// it. nocrash computes the same output without crashing.
		app, _ = mr.LookupApp("nocrash")
	}
	files := make([]string, len(js.Inputs))
	for i, f := range js.Inputs {
		if files[i], err = filepath.Abs(f); err != nil {
			return nil, mr.App{}, fmt.Errorf("mapreduce: job: %w", err)
		}
	}
	return files, app, nil
}

// supervise starts the job's workers and replaces those that die by
// themselves, until the job is done, ctx ends or the cluster stops.
func (c *Cluster) supervise(ctx context.Context, coord *mr.Coordinator, j *job) error {
	for i := range c.names {
		if err := c.Start(i); err != nil {
			return err
		}
	}
	for {
		select {
		case <-coord.Finished():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-c.stopped:
			return errors.New("mapreduce: job: cluster stopped")
		case <-j.wake:
		}
		c.mu.Lock()
		exits := j.exits
		j.exits = nil
		c.mu.Unlock()
		for _, i := range exits {
			if coord.Done() {
				return nil
			}
			c.mu.Lock()
			j.crashes++
			crashes := j.crashes
			c.mu.Unlock()
			if crashes > c.opts.maxRestarts {
				return fmt.Errorf("mapreduce: job: %d workers died, giving up; see %s", crashes,
					filepath.Join(c.spec.Dir, c.names[i]+".log"))
			}
			if err := c.Set.Restart(ctx, c.names[i]); err != nil {
				return err
			}
		}
	}
}

// finish ends the job's workers: they get shutdownGrace to exit by
// themselves (paused ones cannot), then the rest are killed. From then on
// Restart starts nothing.
func (c *Cluster) finish(coord *mr.Coordinator) {
	if coord.Done() {
		_ = nodeproc.Poll(context.Background(), shutdownGrace, 20*time.Millisecond, func(context.Context) error {
			for _, pid := range c.Pids() {
				if st, err := nodeproc.State(pid); err == nil && st != 'T' && st != 't' {
					return errors.New("workers still running")
				}
			}
			return nil
		})
	}
	c.gate.Lock()
	c.mu.Lock()
	c.job = nil
	c.mu.Unlock()
	c.gate.Unlock()
	for _, n := range c.names {
		_ = c.Kill(context.Background(), n)
	}
}

// reference runs the sequential reference into a new directory under
// Spec.Dir and returns it with the run's wall time.
func (c *Cluster) reference(app mr.App, files []string) (string, time.Duration, error) {
	dir, err := os.MkdirTemp(c.spec.Dir, "reference-*")
	if err != nil {
		return "", 0, fmt.Errorf("mapreduce: reference: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "mr-out-0"))
	if err != nil {
		return "", 0, fmt.Errorf("mapreduce: reference: %w", err)
	}
	start := time.Now()
	err = mr.Sequential(app, files, f)
	elapsed := time.Since(start)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("mapreduce: reference: %w", cerr)
	}
	return dir, elapsed, err
}

// jobElapsed returns the time of the job-done (or job-failed) event.
func jobElapsed(events []mr.Event) time.Duration {
	i := slices.IndexFunc(events, func(e mr.Event) bool { return e.Kind == mr.EventJobDone || e.Kind == mr.EventJobFailed })
	if i < 0 {
		return 0
	}
	return events[i].At
}

// attempts converts the coordinator's timeline into the report's task
// attempts.
func attempts(events []mr.Event) []backend.TaskAttempt {
	var out []backend.TaskAttempt
	for _, a := range mr.Attempts(events) {
		ta := backend.TaskAttempt{Task: a.Task.Kind.String(), Index: a.Task.Index, Attempt: a.Attempt,
			Worker: a.Worker, Start: a.Start, End: a.End, Expired: a.Expired}
		if a.Outcome != 0 {
			ta.Outcome = a.Outcome.String()
		}
		out = append(out, ta)
	}
	return out
}
