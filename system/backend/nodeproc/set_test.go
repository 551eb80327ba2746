package nodeproc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"

	"faultline/system/backend"
)

type fakeNode struct{ stopped *atomic.Int32 }

func (f fakeNode) Stop() error { f.stopped.Add(1); return nil }

func TestSetInProcess(t *testing.T) {
	started, stopped := 0, &atomic.Int32{}
	s := NewSet(SetConfig{Backend: "fake", Names: []string{"a", "b"}, Mode: backend.ModeInProcess,
		InProcess: func(int) (Stopper, error) { started++; return fakeNode{stopped}, nil }})
	ctx := context.Background()
	if err := s.StartAll(ctx, nil); err != nil || started != 2 {
		t.Fatalf("StartAll: %v, started %d", err, started)
	}
	if err := s.Kill(ctx, "a"); err != nil || stopped.Load() != 1 {
		t.Fatalf("Kill: %v, stopped %d", err, stopped.Load())
	}
	if err := s.Kill(ctx, "a"); err != nil || stopped.Load() != 1 {
		t.Fatalf("second Kill: %v, stopped %d", err, stopped.Load())
	}
	if err := s.Restart(ctx, "a"); err != nil || started != 3 {
		t.Fatalf("Restart: %v, started %d", err, started)
	}
	if err := s.Restart(ctx, "a"); err != nil || started != 3 {
		t.Fatalf("Restart of a running node started it again: %v, %d", err, started)
	}
	if err := s.Pause(ctx, "a"); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("in-process Pause: %v", err)
	}
	if err := s.Kill(ctx, "zz"); err == nil {
		t.Fatal("unknown node accepted")
	}
	if err := s.Stop(ctx); err != nil || stopped.Load() != 3 {
		t.Fatalf("Stop: %v, stopped %d", err, stopped.Load())
	}
	if err := s.Restart(ctx, "a"); err == nil {
		t.Fatal("restart after Stop accepted")
	}
}

func TestSetProcess(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("NODEPROC_CHILD", "sleep")
	dir := t.TempDir()
	s := NewSet(SetConfig{Backend: "fake", Names: []string{"n0", "n1"}, Mode: backend.ModeProcess,
		Exec: []string{exe, "-test.run=^$"}, Dir: dir})
	ctx := context.Background()
	if err := s.StartAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(ctx) })
	if n := len(s.Pids()); n != 2 {
		t.Fatalf("%d processes, want 2", n)
	}
	if err := s.Pause(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Resume(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	old := s.Pids()
	if err := s.Kill(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Pids()); n != 1 {
		t.Fatalf("%d processes after a kill, want 1", n)
	}
	if err := s.Pause(ctx, "n0"); err == nil {
		t.Fatal("paused a dead node")
	}
	if err := s.Restart(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, pid := range append(old, s.Pids()...) {
		if _, err := State(pid); err == nil {
			t.Errorf("process %d survives Stop", pid)
		}
	}
}

// TestSetHooks checks that Restarted runs only when Restart started a
// killed node, that its error is Restart's, and that Release runs once,
// after the nodes stopped.
func TestSetHooks(t *testing.T) {
	stopped := &atomic.Int32{}
	var restarted, released int
	var releasedAfter int32
	hookErr := errors.New("hook failed")
	s := NewSet(SetConfig{Backend: "fake", Names: []string{"a", "b"}, Mode: backend.ModeInProcess,
		InProcess: func(int) (Stopper, error) { return fakeNode{stopped}, nil },
		Restarted: func(_ context.Context, i int) error {
			restarted++
			if i == 1 {
				return hookErr
			}
			return nil
		},
		Release: func() error { released++; releasedAfter = stopped.Load(); return hookErr },
	})
	ctx := context.Background()
	if err := s.StartAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(ctx, "a"); err != nil || restarted != 0 {
		t.Fatalf("Restart of a running node: %v, hook ran %d times", err, restarted)
	}
	if err := s.Kill(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(ctx, "a"); err != nil || restarted != 1 {
		t.Fatalf("Restart: %v, hook ran %d times", err, restarted)
	}
	if err := s.Kill(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(ctx, "b"); !errors.Is(err, hookErr) {
		t.Fatalf("Restart with a failing hook = %v, want %v", err, hookErr)
	}
	if err := s.Stop(ctx); !errors.Is(err, hookErr) || released != 1 || releasedAfter != 4 {
		t.Fatalf("Stop = %v, released %d times, after %d stops (want 4)", err, released, releasedAfter)
	}
	if err := s.Stop(ctx); err != nil || released != 1 {
		t.Fatalf("second Stop = %v, released %d times", err, released)
	}
}

// TestSetExitedByItself checks that a node process that exits by itself
// is reported to the Exited hook with its status (its environment came
// from the Env hook), counts as killed, and can be restarted; and that
// Kill and Stop are not reported.
func TestSetExitedByItself(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type exit struct {
		i   int
		err error
	}
	exits := make(chan exit, 4)
	s := NewSet(SetConfig{Backend: "fake", Names: []string{"n0", "n1"}, Mode: backend.ModeProcess,
		Exec: []string{exe, "-test.run=^$"}, Dir: dir,
		Env: func(i int) []string {
			if i == 0 {
				return []string{"NODEPROC_CHILD=exit", "NODEPROC_EXIT=3"}
			}
			return []string{"NODEPROC_CHILD=sleep"}
		},
		Exited: func(i int, err error) { exits <- exit{i, err} },
	})
	ctx := context.Background()
	if err := s.StartAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(ctx) })
	for range 2 {
		e := <-exits
		var ee *exec.ExitError
		if e.i != 0 || !errors.As(e.err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("Exited(%d, %v), want node 0 with exit status 3", e.i, e.err)
		}
		if n := len(s.Pids()); n != 1 {
			t.Fatalf("%d processes after node 0 exited, want 1", n)
		}
		if err := s.Restart(ctx, "n0"); err != nil {
			t.Fatal(err)
		}
	}
	<-exits // the restarted node 0 exits again
	if err := s.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-exits:
		t.Fatalf("Exited(%d, %v) after Kill or Stop", e.i, e.err)
	default:
	}
	if err := s.Start(1); err == nil {
		t.Fatal("Start after Stop accepted")
	}
	if n := len(s.Pids()); n != 0 {
		t.Fatalf("%d processes after Stop", n)
	}
}
