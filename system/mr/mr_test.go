package mr

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The equivalents of the course's test-mr.sh, with worker processes.

// processJob runs app over the corpus with 10 reduce tasks and n worker
// processes, waits until the job is done and every worker exited cleanly,
// and returns the inputs, the coordinator and the output directory.
func processJob(t *testing.T, app string, n int) ([]string, *Coordinator, string) {
	t.Helper()
	files := gutenbergFiles(t)
	dir := t.TempDir()
	c := startTestCoordinator(t, files, 10)
	procs := startProcesses(t, n, c, app, dir)
	waitFinished(t, c)
	waitProcesses(t, procs)
	return files, c, dir
}

// TestWordCount: word count with 3 worker processes equals the sequential
// output.
func TestWordCount(t *testing.T) {
	files, _, dir := processJob(t, "wc", 3)
	if d := diffLines(outputLines(t, dir), sequentialLines(t, "wc", files)); d != nil {
		t.Fatalf("word count differs from sequential: %s", d)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "mr-out-*")); len(m) != 10 {
		t.Fatalf("%d output files, want 10", len(m))
	}
}

// TestIndexer: the inverted index with 2 worker processes equals the
// sequential output.
func TestIndexer(t *testing.T) {
	files, _, dir := processJob(t, "indexer", 2)
	if d := diffLines(outputLines(t, dir), sequentialLines(t, "indexer", files)); d != nil {
		t.Fatalf("indexer differs from sequential: %s", d)
	}
}

// outputMap parses "key value" lines.
func outputMap(lines []string) map[string]string {
	m := map[string]string{}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, " ")
		m[k] = v
	}
	return m
}

// TestMapParallelism: two worker processes run map tasks at the same time,
// and both run some.
func TestMapParallelism(t *testing.T) {
	_, _, dir := processJob(t, "mtiming", 2)
	out := outputMap(outputLines(t, dir))
	times := 0
	for k := range out {
		if strings.HasPrefix(k, "times-") {
			times++
		}
	}
	if times != 2 {
		t.Fatalf("%d workers ran map tasks, want 2; output %v", times, out)
	}
	if n, _ := strconv.Atoi(out["parallel"]); n < 2 {
		t.Fatalf("at most %q map tasks ran at once, want 2", out["parallel"])
	}
}

// TestReduceParallelism: two worker processes run reduce tasks at the same
// time.
func TestReduceParallelism(t *testing.T) {
	_, _, dir := processJob(t, "rtiming", 2)
	out := outputMap(outputLines(t, dir))
	if len(out) != len(rtimingKeys) {
		t.Fatalf("output %v, want one line per rtiming key", out)
	}
	best := 0
	for _, v := range out {
		n, _ := strconv.Atoi(v)
		best = max(best, n)
	}
	if best < 2 {
		t.Fatalf("at most %d reduce tasks ran at once, want 2; output %v", best, out)
	}
}

// TestJobCount: with no failures every map task runs exactly once, as
// counted by the application itself and by the timeline.
func TestJobCount(t *testing.T) {
	files, c, dir := processJob(t, "jobcount", 2)
	out := outputMap(outputLines(t, dir))
	want := strconv.Itoa(len(files))
	if len(out) != 4 {
		t.Fatalf("output %v, want 4 keys", out)
	}
	for k, v := range out {
		if v != want {
			t.Fatalf("key %s: %s map executions, want %s", k, v, want)
		}
	}
	assigned := map[TaskID]int{}
	for _, e := range c.Timeline() {
		if e.Kind == EventAssigned {
			assigned[e.Task]++
		}
	}
	for i := range files {
		if n := assigned[TaskID{MapTask, i}]; n != 1 {
			t.Fatalf("map %d assigned %d times, want 1", i, n)
		}
	}
}

// snapshot reads every mr-out-* file.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "mr-out-*"))
	m := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(f)
		m[filepath.Base(f)] = string(b) + "@" + info.ModTime().String()
	}
	return m
}

// TestEarlyExit: no worker exits before the job is done (some run out of
// tasks long before), the coordinator reports done only with every output
// in place, and no output file changes after the first worker exits.
func TestEarlyExit(t *testing.T) {
	files := gutenbergFiles(t)
	dir := t.TempDir()
	c := startTestCoordinator(t, files, 10)
	procs := startProcesses(t, 3, c, "earlyexit", dir)

	first := make(chan *workerProc, len(procs))
	for _, p := range procs {
		go func() {
			<-p.Done()
			first <- p
		}()
	}
	var finishedOutputs []string
	select {
	case <-c.Finished():
		finishedOutputs = outputLines(t, dir)
	case p := <-first:
		t.Fatalf("worker %s exited (%v) before the job was done", p.id, p.Err())
	case <-time.After(testTimeout):
		t.Fatal("job not done")
	}
	want := sequentialLines(t, "earlyexit", files)
	if d := diffLines(finishedOutputs, want); d != nil {
		t.Fatalf("outputs incomplete when the coordinator said done: %s", d)
	}
	var p *workerProc
	select {
	case p = <-first:
	case <-time.After(testTimeout):
		t.Fatal("no worker exited after the job")
	}
	if !c.Done() {
		t.Fatalf("worker %s exited before the job was done", p.id)
	}
	before := snapshot(t, dir)
	waitProcesses(t, procs)
	after := snapshot(t, dir)
	if len(before) != 10 || len(after) != 10 {
		t.Fatalf("%d outputs at first exit, %d at the end, want 10", len(before), len(after))
	}
	for name, b := range before {
		if after[name] != b {
			t.Fatalf("%s changed after the first worker exited", name)
		}
	}
}

// TestCrash: with workers that crash and stall at random (and are
// restarted as they die), the output equals the no-crash output.
func TestCrash(t *testing.T) {
	files := gutenbergFiles(t)
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	c := startTestCoordinator(t, files, 4, WithTaskTimeout(time.Second))
	env := func(i int) []string {
		return []string{
			EnvCrashSeed + "=" + strconv.FormatInt(seed+int64(i), 10),
			EnvCrashExit + "=0.2",
			EnvCrashStall + "=0.2",
			EnvCrashStallMax + "=2s",
		}
	}
	const nWorkers = 3
	procs := make([]*workerProc, nWorkers)
	started := 0
	for i := range procs {
		procs[i] = startProcess(t, "c"+strconv.Itoa(started), c, "crash", dir, env(started)...)
		started++
	}
	deadline := time.After(testTimeout)
	restarts := 0
	for !c.Done() {
		// Wait for a worker to die or the job to finish, whichever first.
		cases := make(chan int, nWorkers)
		stop := make(chan struct{})
		for i, p := range procs {
			go func() {
				select {
				case <-p.Done():
					cases <- i
				case <-stop:
				}
			}()
		}
		select {
		case i := <-cases:
			if !c.Done() {
				procs[i] = startProcess(t, "c"+strconv.Itoa(started), c, "crash", dir, env(started)...)
				started++
				restarts++
			}
		case <-c.Finished():
		case <-deadline:
			close(stop)
			t.Fatalf("seed %d: job not done; timeline:\n%s", seed, formatTimeline(c.Timeline()))
		}
		close(stop)
	}
	waitFinished(t, c)
	if d := diffLines(outputLines(t, dir), sequentialLines(t, "nocrash", files)); d != nil {
		t.Fatalf("seed %d: crash output differs from nocrash: %s\ntimeline:\n%s", seed, d, formatTimeline(c.Timeline()))
	}
	expired := 0
	for _, e := range c.Timeline() {
		if e.Kind == EventExpired {
			expired++
		}
	}
	t.Logf("seed %d: %d restarts, %d expired attempts", seed, restarts, expired)
}
