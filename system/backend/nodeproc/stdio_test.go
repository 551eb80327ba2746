package nodeproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"faultline/system/backend"
)

// stdioChild is the body of the test children that talk over stdin and
// stdout: "cat" echoes stdin's lines to stdout and says hello on stderr;
// "fork" starts a grandchild in its group, prints its pid and exits;
// "stubborn" ignores SIGTERM, says so and waits.
func stdioChild(mode string) int {
	switch mode {
	case "cat":
		fmt.Fprintln(os.Stderr, "hello from stderr")
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			fmt.Println(sc.Text())
		}
		return 0
	case "fork":
		exe, _ := os.Executable()
		c := exec.Command(exe, "-test.run=^$")
		c.Env = append(os.Environ(), "NODEPROC_CHILD=sleep")
		if err := c.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(c.Process.Pid)
		return 0
	default: // stubborn
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ignoring SIGTERM")
		time.Sleep(time.Minute)
		return 0
	}
}

// pipes returns the child's and the parent's ends of a stdin and a stdout
// pipe; the parent's ends close at the end of the test.
func pipes(t *testing.T) (childIn, childOut, in, out *os.File) {
	t.Helper()
	childIn, in, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out, childOut, err = os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); out.Close() })
	return childIn, childOut, in, out
}

func startStdio(t *testing.T, mode string, grace time.Duration) (p *Proc, in io.WriteCloser, out *bufio.Reader, log string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	childIn, childOut, in, outF := pipes(t)
	log = filepath.Join(t.TempDir(), "child.log")
	p, err = Start(Command{Argv: []string{exe, "-test.run=^$"}, Env: []string{"NODEPROC_CHILD=" + mode},
		Log: log, Stdin: childIn, Stdout: childOut, Grace: grace})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill() })
	return p, in, bufio.NewReader(outF), log
}

// TestStdioPipes: a process given pipes reads its stdin and writes its
// stdout through them, its stderr still goes to its log, and the parent
// sees EOF once it exited (Start closed the child's ends here).
func TestStdioPipes(t *testing.T) {
	p, in, out, log := startStdio(t, "cat", 0)
	if _, err := io.WriteString(in, "one\ntwo\n"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"one\n", "two\n"} {
		if got, err := out.ReadString('\n'); err != nil || got != want {
			t.Fatalf("read %q, %v; want %q", got, err, want)
		}
	}
	in.Close()
	if rest, err := io.ReadAll(out); err != nil || len(rest) != 0 {
		t.Fatalf("after stdin closed: %q, %v; want EOF", rest, err)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	b, err := os.ReadFile(log)
	if err != nil || string(b) != "hello from stderr\n" {
		t.Fatalf("log %q, %v; want only stderr", b, err)
	}
}

// TestGroupDiesWithLeader: a process that forked a child into its group
// and exited by itself leaves nothing behind.
func TestGroupDiesWithLeader(t *testing.T) {
	p, _, out, _ := startStdio(t, "fork", 0)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("child printed %q", line)
	}
	<-p.Done()
	if err := Poll(context.Background(), 10*time.Second, 2*time.Millisecond, func(context.Context) error {
		if Running(pid) {
			return fmt.Errorf("process %d still runs", pid)
		}
		return nil
	}); err != nil {
		t.Fatalf("grandchild of an exited process: %v", err)
	}
}

// TestStopGraceKillsStubborn: a process that ignores SIGTERM dies by
// SIGKILL once its grace is over.
func TestStopGraceKillsStubborn(t *testing.T) {
	p, _, out, _ := startStdio(t, "stubborn", 50*time.Millisecond)
	if _, err := out.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := p.Err(); !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("stubborn process ended with %v, want SIGKILL", err)
	}
}

// TestSetStdio: a Set gives each start of a node fresh pipes from its
// Stdio hook and names the started process to its Started hook.
func TestSetStdio(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var ins []*os.File
	var outs []*bufio.Reader
	var procs []*Proc
	s := NewSet(SetConfig{Backend: "fake", Names: []string{"n0"}, Mode: backend.ModeProcess,
		Exec: []string{exe, "-test.run=^$"}, Dir: t.TempDir(),
		Env: func(int) []string { return []string{"NODEPROC_CHILD=cat"} },
		Stdio: func(int) (*os.File, *os.File, error) {
			childIn, childOut, in, out := pipes(t)
			ins, outs = append(ins, in), append(outs, bufio.NewReader(out))
			return childIn, childOut, nil
		},
		Started: func(_ int, p *Proc) { procs = append(procs, p) },
	})
	ctx := context.Background()
	if err := s.StartAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(ctx) })
	if err := s.Kill(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || len(procs) != 2 || procs[1].Pid() != s.Pid("n0") {
		t.Fatalf("%d stdio calls, %d started calls; want 2 each, the last the running process", len(ins), len(procs))
	}
	if _, err := io.WriteString(ins[1], "again\n"); err != nil {
		t.Fatal(err)
	}
	if got, err := outs[1].ReadString('\n'); err != nil || got != "again\n" {
		t.Fatalf("restarted node echoed %q, %v", got, err)
	}
	if rest, err := io.ReadAll(outs[0]); err != nil || len(rest) != 0 {
		t.Fatalf("killed node's stdout: %q, %v; want EOF", rest, err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
