package mr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"faultline/internal/nodetest"
	"faultline/system/backend/nodeproc"
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

// workerProc is a worker process started by a test.
type workerProc struct {
	*nodeproc.Proc
	id, log string
}

// stderr returns what the process wrote.
func (p *workerProc) stderr() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// startProcesses starts n worker processes (this test binary re-executed)
// for the coordinator c, with ids p0..p(n-1); cleanup kills any left.
func startProcesses(t *testing.T, n int, c *Coordinator, app, dir string, env ...string) []*workerProc {
	t.Helper()
	procs := make([]*workerProc, n)
	for i := range procs {
		procs[i] = startProcess(t, fmt.Sprintf("p%d", i), c, app, dir, env...)
	}
	return procs
}

// startProcess starts one worker process through the shared supervisor
// (nodeproc), its WorkerConfig as arguments; its output goes to a log file
// in a temporary directory.
func startProcess(t *testing.T, id string, c *Coordinator, app, dir string, env ...string) *workerProc {
	t.Helper()
	cfg := WorkerConfig{App: app, Coordinator: c.Addr(), Dir: dir, ID: id, GoneAfter: 2 * time.Second}
	log := filepath.Join(t.TempDir(), id+".log")
	p, err := nodeproc.Start(nodeproc.Command{
		Argv: append(nodetest.Exec(t, workerMarker), nodeproc.EncodeArgs(cfg)...),
		Env:  append([]string{EnvProbeDir + "=" + dir, EnvWorkerID + "=" + id}, env...),
		Log:  log,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill() })
	return &workerProc{Proc: p, id: id, log: log}
}

// waitProcesses waits for every process to exit and checks that each
// exited cleanly.
func waitProcesses(t *testing.T, procs []*workerProc) {
	t.Helper()
	deadline := time.After(testTimeout)
	for _, p := range procs {
		select {
		case <-p.Done():
		case <-deadline:
			t.Fatalf("worker %s did not exit", p.id)
		}
		if err := p.Err(); err != nil {
			t.Fatalf("worker %s: %v; output:\n%s", p.id, err, p.stderr())
		}
	}
}
