package mr

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// testTimeout bounds every wait of a job test.
const testTimeout = 90 * time.Second

// startTestCoordinator starts a coordinator on a free loopback port,
// closed at cleanup.
func startTestCoordinator(t *testing.T, files []string, nReduce int, opts ...Option) *Coordinator {
	t.Helper()
	c, err := StartCoordinator(files, nReduce, append([]Option{WithAddress("127.0.0.1:0")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFinished waits for the job to end and fails the test if it does not
// within testTimeout or ends in failure.
func waitFinished(t *testing.T, c *Coordinator) {
	t.Helper()
	select {
	case <-c.Finished():
	case <-time.After(testTimeout):
		t.Fatalf("job not done after %v; timeline:\n%s", testTimeout, formatTimeline(c.Timeline()))
	}
	if err := c.Err(); err != nil {
		t.Fatalf("job failed: %v\n%s", err, formatTimeline(c.Timeline()))
	}
}

func formatTimeline(events []Event) string {
	s := ""
	for _, e := range events {
		s += e.String() + "\n"
	}
	return s
}

// goroutineWorkers runs n workers in goroutines; wait returns their errors
// once all have returned. Cleanup cancels them and waits.
type goroutineWorkers struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

func startGoroutineWorkers(t *testing.T, n int, app App, opts ...WorkerOption) *goroutineWorkers {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	g := &goroutineWorkers{cancel: cancel}
	for i := 0; i < n; i++ {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			o := append([]WorkerOption{WithWorkerID(fmt.Sprintf("g%d", i))}, opts...)
			if err := RunWorker(ctx, app.Map, app.Reduce, o...); err != nil && !errors.Is(err, context.Canceled) {
				g.mu.Lock()
				g.errs = append(g.errs, err)
				g.mu.Unlock()
			}
		}()
	}
	t.Cleanup(func() {
		cancel()
		g.wg.Wait()
	})
	return g
}

// wait waits for every worker to return by itself.
func (g *goroutineWorkers) wait(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("workers did not exit")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.errs) > 0 {
		t.Fatalf("worker errors: %v", g.errs)
	}
}

// startProcesses starts n worker processes (this test binary re-executed)
// for the coordinator c, with ids p0..p(n-1); cleanup kills any left.
func startProcesses(t *testing.T, n int, c *Coordinator, app, dir string, env ...string) []*workerProcess {
	t.Helper()
	procs := make([]*workerProcess, n)
	for i := range procs {
		procs[i] = startProcess(t, fmt.Sprintf("p%d", i), c, app, dir, env...)
	}
	return procs
}

func startProcess(t *testing.T, id string, c *Coordinator, app, dir string, env ...string) *workerProcess {
	t.Helper()
	p, err := startWorkerProcess(processSpec{
		app:         app,
		coordinator: c.Addr(),
		dir:         dir,
		id:          id,
		goneAfter:   2 * time.Second,
		env:         append([]string{EnvProbeDir + "=" + dir}, env...),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	return p
}

// waitProcesses waits for every process to exit and checks that each
// exited cleanly.
func waitProcesses(t *testing.T, procs []*workerProcess) {
	t.Helper()
	deadline := time.After(testTimeout)
	for _, p := range procs {
		select {
		case <-p.done:
		case <-deadline:
			t.Fatalf("worker %s did not exit", p.id)
		}
		if p.err != nil {
			t.Fatalf("worker %s: %v; stderr:\n%s", p.id, p.err, p.tail)
		}
	}
}
