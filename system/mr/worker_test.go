package mr

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// waitEvent polls the timeline until an event satisfies match, for up to
// testTimeout.
func waitEvent(t *testing.T, c *Coordinator, what string, match func(Event) bool) Event {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		for _, e := range c.Timeline() {
			if match(e) {
				return e
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s event within %v; timeline:\n%s", what, testTimeout, formatTimeline(c.Timeline()))
	return Event{}
}

// gatedApp makes map or reduce calls block until release is closed, the
// first n times; entered is closed when the first call blocks.
type gatedApp struct {
	mu      sync.Mutex
	n       int
	release chan struct{}
	entered chan struct{}
}

func newGate(n int) *gatedApp {
	return &gatedApp{n: n, release: make(chan struct{}), entered: make(chan struct{})}
}

func (g *gatedApp) gate() {
	g.mu.Lock()
	block := g.n > 0
	if block {
		select {
		case <-g.entered:
		default:
			close(g.entered)
		}
	}
	g.n--
	g.mu.Unlock()
	if block {
		<-g.release
	}
}

// TestLateReportIgnored: a map attempt that outruns the timeout is handed
// to another worker; when the first worker finally reports, after the task
// is done, its report is ignored and the output is still right.
func TestLateReportIgnored(t *testing.T) {
	files := gutenbergFiles(t)[:1]
	dir := t.TempDir()
	c := startTestCoordinator(t, files, 2, WithTaskTimeout(300*time.Millisecond))
	slow := newGate(1)
	slowApp := App{Map: func(f, s string) []KeyValue { slow.gate(); return wcMap(f, s) }, Reduce: wcReduce}
	a := startGoroutineWorkers(t, 1, slowApp, WithCoordinator(c.Addr()), WithDir(dir), WithWorkerID("slow"))
	waitEvent(t, c, "assigned to slow", func(e Event) bool { return e.Kind == EventAssigned && e.Worker == "slow" })
	b := startGoroutineWorkers(t, 1, builtinApps["wc"], WithCoordinator(c.Addr()), WithDir(dir), WithWorkerID("fast"))
	waitFinished(t, c)
	close(slow.release)
	waitEvent(t, c, "late report ignored", func(e Event) bool {
		return e.Kind == EventIgnored && e.Worker == "slow" && e.Task == TaskID{MapTask, 0} && e.Attempt == 1
	})
	a.wait(t)
	b.wait(t)
	if d := diffLines(outputLines(t, dir), sequentialLines(t, "wc", files)); d != nil {
		t.Fatal(d)
	}
	var expired bool
	for _, at := range Attempts(c.Timeline()) {
		if at.Task == (TaskID{MapTask, 0}) && at.Attempt == 1 {
			expired = at.Expired && at.Outcome == EventIgnored
		}
	}
	if !expired {
		t.Fatalf("attempt summary does not show map 0 #1 expired then ignored: %+v", Attempts(c.Timeline()))
	}
}

// TestWorkerCoordinatorGone: a worker returns nil soon after its
// coordinator goes away mid-task, and ErrNoCoordinator if there never was
// one.
func TestWorkerCoordinatorGone(t *testing.T) {
	files := gutenbergFiles(t)[:1]
	c := startTestCoordinator(t, files, 1)
	g := newGate(1)
	app := App{Map: func(f, s string) []KeyValue { g.gate(); return nil }, Reduce: wcReduce}
	w := startGoroutineWorkers(t, 1, app, WithCoordinator(c.Addr()), WithDir(t.TempDir()), WithGoneAfter(300*time.Millisecond))
	// Wait until the worker runs the task, not just until the coordinator
	// assigned it: closing the coordinator between the two could lose the
	// reply, and the worker would rightly say it never reached it.
	select {
	case <-g.entered:
	case <-time.After(testTimeout):
		t.Fatal("the worker never ran its task")
	}
	c.Close()
	close(g.release)
	w.wait(t) // fails the test on a non-nil error or if the worker stays

	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	err = RunWorker(context.Background(), wcMap, wcReduce, WithCoordinator(addr), WithGoneAfter(200*time.Millisecond))
	if !errors.Is(err, ErrNoCoordinator) {
		t.Fatalf("no coordinator: err = %v, want ErrNoCoordinator", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("worker took %v to give up", d)
	}
}

// TestWorkerContext: cancelling the context stops a waiting worker.
func TestWorkerContext(t *testing.T) {
	files := gutenbergFiles(t)[:1]
	c := startTestCoordinator(t, files, 1)
	g := newGate(1)
	defer close(g.release)
	blocked := App{Map: func(f, s string) []KeyValue { g.gate(); return nil }, Reduce: wcReduce}
	startGoroutineWorkers(t, 1, blocked, WithCoordinator(c.Addr()), WithDir(t.TempDir()))
	waitEvent(t, c, "assigned", func(e Event) bool { return e.Kind == EventAssigned })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- RunWorker(ctx, wcMap, wcReduce, WithCoordinator(c.Addr())) }()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("worker ignored its context")
	}
}

// TestServeIntermediates: workers that serve their map output over RPC
// produce the right output and leave no intermediate file in the shared
// directory.
func TestServeIntermediates(t *testing.T) {
	files := gutenbergFiles(t)
	dir := t.TempDir()
	c := startTestCoordinator(t, files, 5)
	w := startGoroutineWorkers(t, 3, builtinApps["wc"], WithCoordinator(c.Addr()), WithDir(dir),
		WithServeIntermediates("127.0.0.1:0", ""))
	waitFinished(t, c)
	w.wait(t)
	if d := diffLines(outputLines(t, dir), sequentialLines(t, "wc", files)); d != nil {
		t.Fatal(d)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "mr-[0-9]*")); len(m) != 0 {
		t.Fatalf("intermediates in the shared directory: %v", m)
	}
}

// TestServeIntermediatesLost: when map output served by a worker is gone,
// the reduce worker reports it lost, the map tasks run again elsewhere and
// the job still produces the right output.
func TestServeIntermediatesLost(t *testing.T) {
	files := gutenbergFiles(t)[:4]
	dir := t.TempDir()
	localA := t.TempDir()
	c := startTestCoordinator(t, files, 2, WithTaskTimeout(time.Second))
	// Worker A maps everything, then blocks in its first reduce call.
	gate := newGate(1)
	appA := App{Map: wcMap, Reduce: func(k string, v []string) string { gate.gate(); return wcReduce(k, v) }}
	a := startGoroutineWorkers(t, 1, appA, WithCoordinator(c.Addr()), WithDir(dir),
		WithServeIntermediates("127.0.0.1:0", localA), WithWorkerID("A"))
	select {
	case <-gate.entered:
	case <-time.After(testTimeout):
		t.Fatal("A never reduced")
	}
	// A's disk fails: its map output is gone.
	m, _ := filepath.Glob(filepath.Join(localA, "mr-*"))
	if len(m) != len(files)*2 {
		t.Fatalf("A holds %d intermediate files, want %d", len(m), len(files)*2)
	}
	for _, f := range m {
		os.Remove(f)
	}
	b := startGoroutineWorkers(t, 1, builtinApps["wc"], WithCoordinator(c.Addr()), WithDir(dir),
		WithServeIntermediates("127.0.0.1:0", ""), WithWorkerID("B"))
	waitFinished(t, c)
	close(gate.release)
	a.wait(t)
	b.wait(t)
	if d := diffLines(outputLines(t, dir), sequentialLines(t, "wc", files)); d != nil {
		t.Fatal(d)
	}
	lost := 0
	for _, e := range c.Timeline() {
		if e.Kind == EventLost {
			lost++
		}
	}
	if lost != len(files) {
		t.Fatalf("%d map outputs lost, want %d; timeline:\n%s", lost, len(files), formatTimeline(c.Timeline()))
	}
}
