package nodeproc

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	switch os.Getenv("NODEPROC_CHILD") {
	case "sleep":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "exit":
		code, _ := strconv.Atoi(os.Getenv("NODEPROC_EXIT"))
		os.Exit(code)
	case "cat", "fork", "stubborn":
		os.Exit(stdioChild(os.Getenv("NODEPROC_CHILD")))
	}
	os.Exit(m.Run())
}

func startChild(t *testing.T) *Proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("NODEPROC_CHILD", "sleep")
	p, err := Start(Command{Argv: []string{exe, "-test.run=^$"}, Log: filepath.Join(t.TempDir(), "child.log")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill() })
	return p
}

func TestPauseResumeStop(t *testing.T) {
	p := startChild(t)
	ctx := context.Background()
	if err := p.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := State(p.Pid()); st != 'T' && st != 't' {
		t.Fatalf("paused child in state %c", st)
	}
	if err := p.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := State(p.Pid()); st == 'T' || st == 't' {
		t.Fatalf("resumed child in state %c", st)
	}
	// Stop works on a paused process too.
	if err := p.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("Stop returned before the process exited")
	}
	if err := syscall.Kill(p.Pid(), 0); err == nil {
		t.Fatal("process still exists after Stop")
	}
}

func TestKill(t *testing.T) {
	p := startChild(t)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if _, err := State(p.Pid()); err == nil {
		t.Fatal("killed process still in /proc")
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signalling a gone group: %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := Start(Command{Log: filepath.Join(t.TempDir(), "x.log")}); err == nil {
		t.Fatal("empty command accepted")
	}
	if _, err := Start(Command{Argv: []string{"/nonexistent/binary"}, Log: filepath.Join(t.TempDir(), "x.log")}); err == nil {
		t.Fatal("missing binary accepted")
	}
}
