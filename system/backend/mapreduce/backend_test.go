package mapreduce

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline/internal/nodetest"
	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/mr"
)

// testTimeout bounds every job of these tests.
const testTimeout = 90 * time.Second

// startCluster starts a cluster of n workers in mode; cleanup stops it.
func startCluster(t *testing.T, mode backend.Mode, n int, opts map[string]string) *Cluster {
	t.Helper()
	spec := backend.Spec{Nodes: n, Mode: mode, Dir: t.TempDir(), Options: opts, Exec: nodetest.Exec(t, nodeMarker)}
	c, err := Backend{}.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c.(*Cluster)
}

// jobSpec is a verified job of app over the corpus with reduce tasks.
func jobSpec(t *testing.T, app string, reduce int) backend.JobSpec {
	return backend.JobSpec{App: app, Inputs: gutenbergFiles(t), Reduce: reduce, TaskTimeout: time.Second,
		Verify: true, Output: t.TempDir()}
}

// checkReport checks what every report of a verified job must show: the
// output equals the reference, and every task completed.
func checkReport(t *testing.T, rep backend.JobReport, nMap, nReduce int) {
	t.Helper()
	if err := mr.CompareOutputs(rep.Output, rep.Reference); err != nil {
		t.Fatal(err)
	}
	if rep.Elapsed <= 0 || rep.Sequential <= 0 || rep.Reference == "" {
		t.Fatalf("report %+v", rep)
	}
	completed := map[string]int{}
	for _, a := range rep.Attempts {
		if a.Outcome == "completed" {
			completed[a.Task+strconv.Itoa(a.Index)]++
			if a.End < a.Start || a.Worker == "" {
				t.Fatalf("bad attempt %+v", a)
			}
		}
	}
	if len(completed) != nMap+nReduce {
		t.Fatalf("%d tasks completed, want %d: %+v", len(completed), nMap+nReduce, rep.Attempts)
	}
}

// TestJobInProcess: a verified job with goroutine workers, which leave no
// goroutine behind once the cluster stops.
func TestJobInProcess(t *testing.T) {
	before := runtime.NumGoroutine()
	spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir()}
	b, err := Backend{}.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	c := b.(*Cluster)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	js := jobSpec(t, "indexer", 3)
	rep, err := c.RunJob(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, len(js.Inputs), 3)
	if rep.WorkersStarted != 3 || rep.Crashes != 0 || rep.Output != js.Output {
		t.Fatalf("report %+v", rep)
	}
	if err := c.Pause(ctx, "w0"); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("Pause in process = %v, want ErrUnsupported", err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	nodetest.NoGoroutinesLeft(t, before)
}

// runJob runs js on c in a goroutine; the channel delivers its outcome.
type outcome struct {
	rep backend.JobReport
	err error
}

func runJob(c *Cluster, js backend.JobSpec) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		rep, err := c.RunJob(ctx, js)
		ch <- outcome{rep, err}
	}()
	return ch
}

// waitRunning waits until every worker runs as a process.
func waitRunning(t *testing.T, c *Cluster) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for len(c.Pids()) < len(c.Nodes()) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d workers running", len(c.Pids()), len(c.Nodes()))
		}
		time.Sleep(5 * time.Millisecond) // bounded poll
	}
}

// TestJobWithKillsAndPauses: while a word count runs with worker
// processes, workers are killed and replaced (under the same name, as a
// new process) and paused for longer than the task timeout (so their task
// goes to another worker and a late report must be ignored) through the
// Killer and Pauser powers, as the chaos controller applies them. The
// output equals the sequential reference, whether workers share map
// output through the directory or serve it to each other (so a kill loses
// it).
func TestJobWithKillsAndPauses(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	for _, serve := range []string{"false", "true"} {
		t.Run("serve="+serve, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 1))
			c := startCluster(t, backend.ModeProcess, 3, map[string]string{"serve": serve})
			js := jobSpec(t, "wc", 5)
			// Three copies of the corpus and a short task timeout: a job
			// that outlasts the stall below even without the race
			// detector's slowdown.
			js.Inputs = slices.Concat(js.Inputs, js.Inputs, js.Inputs)
			js.TaskTimeout = 250 * time.Millisecond
			done := runJob(c, js)
			waitRunning(t, c)
			ctx := context.Background()
			// The job may still end before the faults do, taking its
			// workers with it; a fault that fails then is no error.
			var o *outcome
			ended := func() bool {
				if o == nil {
					select {
					case r := <-done:
						o = &r
					default:
					}
				}
				return o != nil
			}
			check := func(err error) {
				if err != nil && !ended() {
					t.Fatal(err)
				}
			}
			kills := 0
			for kills < 3 && !ended() {
				victim := c.Nodes()[rng.IntN(3)]
				old := c.Pid(victim)
				if err := c.Kill(ctx, victim); err != nil {
					check(err)
					break
				}
				if c.Pid(victim) != 0 || nodeAlive(old) {
					t.Fatalf("%s (pid %d) survives Kill", victim, old)
				}
				kills++
				if err := c.Restart(ctx, victim); err != nil {
					check(err)
					break
				}
				if pid := c.Pid(victim); pid == 0 || pid == old {
					t.Fatalf("%s not replaced: pid %d, was %d", victim, pid, old)
				}
				if kills == 1 {
					// Stall one other worker beyond the task timeout.
					stalled := c.Nodes()[(slices.Index(c.Nodes(), victim)+1)%3]
					check(c.Pause(ctx, stalled))
					time.Sleep(3 * js.TaskTimeout / 2) // the fault's length
					check(c.Resume(ctx, stalled))
					if ended() {
						t.Logf("the job ended during the stall")
					}
				}
			}
			if o == nil {
				r := <-done
				o = &r
			}
			if o.err != nil {
				t.Fatalf("seed %d: %v", seed, o.err)
			}
			checkReport(t, o.rep, len(js.Inputs), 5)
			if o.rep.WorkersStarted != 3+kills+o.rep.Crashes {
				t.Fatalf("%d workers started, %d kills, %d crashes", o.rep.WorkersStarted, kills, o.rep.Crashes)
			}
			if err := c.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			nodetest.NoChildren(t)
		})
	}
}

// nodeAlive reports whether process pid exists.
func nodeAlive(pid int) bool {
	_, err := nodeproc.State(pid)
	return err == nil
}

// TestCrashApp: workers that the crash app ends are replaced under the
// same name, and the output equals nocrash's.
func TestCrashApp(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	c := startCluster(t, backend.ModeProcess, 3, map[string]string{
		"env." + mr.EnvCrashSeed: strconv.FormatInt(seed, 10), "env." + mr.EnvCrashStallMax: "1500ms",
		"env." + mr.EnvCrashExit: "0.2", "env." + mr.EnvCrashStall: "0.2",
	})
	js := jobSpec(t, "crash", 3)
	o := <-runJob(c, js)
	if o.err != nil {
		t.Fatalf("seed %d: %v", seed, o.err)
	}
	checkReport(t, o.rep, len(js.Inputs), 3)
	if o.rep.WorkersStarted != 3+o.rep.Crashes {
		t.Fatalf("%d workers started, %d crashes", o.rep.WorkersStarted, o.rep.Crashes)
	}
	t.Logf("seed %d: %d crashes", seed, o.rep.Crashes)
}

// TestStopDuringJob: Stop ends a running job with an error and leaves no
// worker process.
func TestStopDuringJob(t *testing.T) {
	c := startCluster(t, backend.ModeProcess, 2, nil)
	done := runJob(c, jobSpec(t, "wc", 3))
	waitRunning(t, c)
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o := <-done; o.err == nil {
		t.Fatal("job survived Stop")
	}
	if err := c.Restart(context.Background(), "w0"); err != nil {
		t.Fatalf("Restart after the job: %v", err)
	}
	if n := len(c.Pids()); n != 0 {
		t.Fatalf("%d worker processes after Stop", n)
	}
	nodetest.NoChildren(t)
}

// TestErrors: bad options and jobs fail fast with clear errors.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	for name, opts := range map[string]map[string]string{
		"unknown option": {"nope": "1"},
		"maxrestarts":    {"maxrestarts": "-1"},
		"serve":          {"serve": "maybe"},
	} {
		spec := backend.Spec{Nodes: 1, Mode: backend.ModeInProcess, Dir: t.TempDir(), Options: opts}
		if _, err := (Backend{}).Start(ctx, spec); err == nil {
			t.Errorf("%s: Start accepted %v", name, opts)
		}
	}
	c := startCluster(t, backend.ModeInProcess, 1, nil)
	if _, err := c.Client(ctx, 0); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("Client = %v, want ErrUnsupported", err)
	}
	if err := c.Restart(ctx, "w0"); err != nil {
		t.Errorf("Restart between jobs = %v, want nothing done", err)
	}
	if err := c.Restart(ctx, "zz"); err == nil {
		t.Error("Restart of an unknown node accepted")
	}
	files := gutenbergFiles(t)
	for _, tc := range []struct {
		name string
		js   backend.JobSpec
		want string
	}{
		{"no files", backend.JobSpec{Reduce: 1, Output: t.TempDir()}, "no input files"},
		{"no reduce", backend.JobSpec{Inputs: files, Output: t.TempDir()}, "Reduce = 0"},
		{"no output", backend.JobSpec{Inputs: files, Reduce: 1}, "Output is empty"},
		{"unknown app", backend.JobSpec{App: "nope", Inputs: files, Reduce: 1, Output: t.TempDir()}, "unknown app"},
		{"crash in process", backend.JobSpec{App: "crash", Inputs: files, Reduce: 1, Output: t.TempDir()}, "worker processes"},
		{"missing input", backend.JobSpec{App: "wc", Inputs: []string{filepath.Join(t.TempDir(), "missing")}, Reduce: 1, Output: t.TempDir()}, "job failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, testTimeout)
			defer cancel()
			if _, err := c.RunJob(ctx, tc.js); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
