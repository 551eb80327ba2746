package mr

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkTimeline checks what every timeline must show: each task completed
// exactly once (plus once per loss of its output), and the job done.
func checkTimeline(t *testing.T, res JobResult, nMap, nReduce int) {
	t.Helper()
	completed := map[TaskID]int{}
	doneEvents, lost := 0, 0
	for _, e := range res.Timeline {
		switch e.Kind {
		case EventCompleted:
			completed[e.Task]++
		case EventLost:
			completed[e.Task]--
			lost++
		case EventJobDone:
			doneEvents++
		}
	}
	if len(completed) != nMap+nReduce || doneEvents != 1 {
		t.Fatalf("%d tasks completed, %d job-done events; want %d and 1:\n%s",
			len(completed), doneEvents, nMap+nReduce, formatTimeline(res.Timeline))
	}
	for id, n := range completed {
		if n != 1 {
			t.Fatalf("%v completed %d times", id, n)
		}
	}
	ok := 0
	for _, a := range res.Attempts {
		if a.Outcome == EventCompleted {
			ok++
			if a.End < a.Start || a.Worker == "" {
				t.Fatalf("bad attempt %+v", a)
			}
		}
	}
	if ok != nMap+nReduce+lost {
		t.Fatalf("%d completed attempts, want %d", ok, nMap+nReduce)
	}
}

// TestRunJobInProcess: a verified job with goroutine workers.
func TestRunJobInProcess(t *testing.T) {
	files := gutenbergFiles(t)
	res, err := RunJob(context.Background(), JobConfig{App: "indexer", Files: files, NReduce: 3, Workers: 3, InProcess: true, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verified || res.Elapsed <= 0 || res.Sequential <= 0 || res.WorkersStarted != 3 {
		t.Fatalf("result %+v", res)
	}
	checkTimeline(t, res, len(files), 3)
	if _, err := os.Stat(res.Dir); !os.IsNotExist(err) {
		t.Fatalf("temporary job directory left behind: %v", err)
	}
}

// TestRunJobChaos: a job with worker processes that are killed and stalled
// at random (and serve their map output to each other, so kills lose map
// output) still produces the reference output.
func TestRunJobChaos(t *testing.T) {
	files := gutenbergFiles(t)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	chaos := Chaos{KillEvery: 300 * time.Millisecond, StallEvery: 400 * time.Millisecond, StallFor: 1500 * time.Millisecond,
		MaxKills: 4, MaxStalls: 4}
	for _, serve := range []bool{false, true} {
		t.Run(map[bool]string{false: "shared", true: "served"}[serve], func(t *testing.T) {
			res, err := RunJob(context.Background(), JobConfig{
				App: "wc", Files: files, NReduce: 5, Workers: 3, TaskTimeout: time.Second,
				ServeIntermediates: serve, Chaos: chaos, Verify: true, Seed: seed,
			})
			if err != nil {
				t.Fatalf("seed %d: %v\n%s", seed, err, formatTimeline(res.Timeline))
			}
			checkTimeline(t, res, len(files), 5)
			t.Logf("seed %d: job %v, %d workers started, %d kills, %d stalls, %d crashes",
				seed, res.Elapsed, res.WorkersStarted, res.Kills, res.Stalls, res.Crashes)
			// The first kill comes at most 1.5 KillEvery in, the first stall
			// at most 1.5 StallEvery: a job lasting longer saw both.
			if res.Elapsed > 3*chaos.StallEvery/2+100*time.Millisecond && (res.Kills == 0 || res.Stalls == 0) {
				t.Fatalf("seed %d: job took %v with %d kills and %d stalls", seed, res.Elapsed, res.Kills, res.Stalls)
			}
			if res.WorkersStarted != 3+res.Restarts || res.Restarts > res.Kills+res.Crashes {
				t.Fatalf("%d workers started, %d restarts, %d kills, %d crashes", res.WorkersStarted, res.Restarts, res.Kills, res.Crashes)
			}
			if res.Kills > chaos.MaxKills || res.Stalls > chaos.MaxStalls {
				t.Fatalf("%d kills, %d stalls: over the bounds", res.Kills, res.Stalls)
			}
			kinds := map[EventKind]int{}
			for _, e := range res.Timeline {
				kinds[e.Kind]++
			}
			if kinds[EventWorkerKilled] < res.Kills || kinds[EventWorkerStalled] != res.Stalls {
				t.Fatalf("timeline counts %v disagree with %d kills, %d stalls", kinds, res.Kills, res.Stalls)
			}
		})
	}
}

// TestRunJobCrashApp: RunJob replaces worker processes that the crash app
// ends, and the output equals nocrash's.
func TestRunJobCrashApp(t *testing.T) {
	files := gutenbergFiles(t)
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	res, err := RunJob(context.Background(), JobConfig{
		App: "crash", Files: files, NReduce: 3, Workers: 3, TaskTimeout: time.Second, Dir: dir,
		Env: []string{EnvCrashSeed + "=" + strconv.FormatInt(seed, 10), EnvCrashStallMax + "=1500ms",
			EnvCrashExit + "=0.2", EnvCrashStall + "=0.2"},
	})
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	if d := diffLines(outputLines(t, dir), sequentialLines(t, "nocrash", files)); d != "" {
		t.Fatalf("seed %d: %s", seed, d)
	}
	if res.WorkersStarted != 3+res.Restarts || res.Restarts > res.Crashes {
		t.Fatalf("%d workers started, %d restarts, %d crashes", res.WorkersStarted, res.Restarts, res.Crashes)
	}
}

// TestRunJobErrors: bad configurations fail fast with clear errors.
func TestRunJobErrors(t *testing.T) {
	files := gutenbergFiles(t)
	for _, tc := range []struct {
		name string
		cfg  JobConfig
		want string
	}{
		{"no files", JobConfig{}, "no input files"},
		{"unknown app", JobConfig{App: "nope", Files: files}, "unknown app"},
		{"chaos in process", JobConfig{Files: files, InProcess: true, Chaos: Chaos{KillEvery: time.Second}}, "worker processes"},
		{"crash in process", JobConfig{App: "crash", Files: files, InProcess: true}, "worker processes"},
		{"bad worker app", JobConfig{Files: files, Env: []string{EnvApp + "=nope"}}, "could not start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RunJob(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// A job whose input is missing fails rather than hanging.
	_, err := RunJob(context.Background(), JobConfig{Files: []string{filepath.Join(t.TempDir(), "missing")}, InProcess: true})
	if err == nil || !strings.Contains(err.Error(), "job failed") {
		t.Fatalf("missing input: err = %v", err)
	}
	// Verification catches a wrong output.
	_, err = RunJob(context.Background(), JobConfig{App: "wc", Files: files[:1], InProcess: true, Verify: true, NReduce: 1,
		Dir: t.TempDir(), Env: nil, Workers: 1, Executable: "", Seed: 0, TaskTimeout: 0, Stderr: nil, MaxRestarts: 0})
	if err != nil {
		t.Fatalf("good job: %v", err)
	}
	if !errors.Is(verify(builtinApps["indexer"], files[:1], t.TempDir(), &JobResult{}), ErrMismatch) {
		t.Fatal("empty output verified against the indexer's")
	}
}
