package nodeproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// StopGrace is how long Stop waits after SIGTERM before SIGKILL.
const StopGrace = 5 * time.Second

// Proc is one node process, the leader of its own process group. The
// group dies with its leader: once the process exited (by itself, by Kill
// or by Stop), whatever it forked into its group is SIGKILLed, so that no
// node leaves a process behind.
type Proc struct {
	cmd   *exec.Cmd
	grace time.Duration  // Stop's wait between StopSignal and SIGKILL
	sig   syscall.Signal // what Stop sends first
	done  chan struct{}  // closed once Wait returned
	err   error          // Wait's result, set before done closes
}

// Command is a node process to start.
type Command struct {
	// Argv is the program and its arguments.
	Argv []string
	// Env adds variables to the harness's environment.
	Env []string
	// Log is the file the process's stderr is appended to, and its stdout
	// unless Stdout is set.
	Log string
	// Stdin and Stdout, if set, become the process's stdin and stdout:
	// the child's ends of pipes whose other ends the caller keeps. Start
	// closes them in this process once the child holds them (or when it
	// fails), so that the caller's ends see the child's exit as EOF or a
	// broken pipe. Without Stdin the process reads from the null device.
	Stdin, Stdout *os.File
	// Grace is how long Stop waits after SIGTERM before SIGKILL; zero
	// means StopGrace.
	Grace time.Duration
	// StopSignal is the signal Stop asks the process to stop with; zero
	// means SIGTERM.
	StopSignal syscall.Signal
	// Netns, if set, is the pinned network namespace the process starts
	// in (a kernelnet.Host's Netns); empty means the harness's own.
	Netns string
}

// Start runs cmd.Argv with stderr (and stdout, unless c.Stdout is set)
// appended to cmd.Log.
func Start(c Command) (*Proc, error) {
	defer closeFiles(c.Stdin, c.Stdout)
	if len(c.Argv) == 0 {
		return nil, errors.New("nodeproc: empty command")
	}
	log, err := os.OpenFile(c.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("nodeproc: log: %w", err)
	}
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	if c.Stdout != nil {
		cmd.Stdout = c.Stdout
	}
	if c.Stdin != nil {
		cmd.Stdin = c.Stdin
	}
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := startIn(cmd, c.Netns); err != nil {
		log.Close()
		return nil, fmt.Errorf("nodeproc: start %s: %w", c.Argv[0], err)
	}
	p := &Proc{cmd: cmd, grace: c.Grace, sig: c.StopSignal, done: make(chan struct{})}
	if p.grace <= 0 {
		p.grace = StopGrace
	}
	if p.sig == 0 {
		p.sig = syscall.SIGTERM
	}
	go func() {
		p.err = cmd.Wait()
		_ = p.Signal(syscall.SIGKILL) // what the process forked dies with it
		log.Close()
		close(p.done)
	}()
	return p, nil
}

// closeFiles closes the files that are set.
func closeFiles(fs ...*os.File) {
	for _, f := range fs {
		if f != nil {
			f.Close()
		}
	}
}

// Pid returns the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is how the process ended, once Done is closed: nil for exit status
// 0, else an *exec.ExitError (a status or a signal).
func (p *Proc) Err() error {
	<-p.done
	return p.err
}

// Signal sends sig to the process group. A group that is already gone is
// not an error.
func (p *Proc) Signal(sig syscall.Signal) error {
	if err := syscall.Kill(-p.Pid(), sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("nodeproc: signal %v to group %d: %w", sig, p.Pid(), err)
	}
	return nil
}

// Kill SIGKILLs the group and waits for the process to exit.
func (p *Proc) Kill() error {
	err := p.Signal(syscall.SIGKILL)
	<-p.done
	return err
}

// Pause stops the process with SIGSTOP and returns once the kernel reports
// it stopped: the signal is asynchronous, and a "paused" node that still
// answers would make pause tests lie.
func (p *Proc) Pause(ctx context.Context) error {
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		return err
	}
	return p.waitState(ctx, true)
}

// Resume continues a paused process and returns once it runs again.
func (p *Proc) Resume(ctx context.Context) error {
	if err := p.Signal(syscall.SIGCONT); err != nil {
		return err
	}
	return p.waitState(ctx, false)
}

// waitState polls /proc until the process is (or is not) stopped.
func (p *Proc) waitState(ctx context.Context, stopped bool) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		st, err := State(p.Pid())
		if err != nil {
			return err
		}
		if (st == 'T' || st == 't') == stopped {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("nodeproc: process %d exited", p.Pid())
		case <-ctx.Done():
			return fmt.Errorf("nodeproc: process %d state %c: %w", p.Pid(), st, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// State returns the one-letter state of process pid from /proc (R, S, T,
// Z, ...).
func State(pid int) (byte, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("nodeproc: state of %d: %w", pid, err)
	}
	// The command name is in parentheses and may hold spaces; the state
	// follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return 0, fmt.Errorf("nodeproc: state of %d: malformed stat %q", pid, s)
	}
	return s[i+2], nil
}

// Running reports whether process pid runs: it exists and is not a
// zombie waiting for whichever process reaps it.
func Running(pid int) bool {
	st, err := State(pid)
	return err == nil && st != 'Z' && st != 'X'
}

// Stop asks the process to stop (Command.StopSignal, SIGTERM by default,
// plus SIGCONT in case it is paused), then SIGKILLs the group if it has not exited within its grace
// (Command.Grace) or by the end of ctx. Any straggler of the group is
// killed too.
func (p *Proc) Stop(ctx context.Context) error {
	if err := p.Signal(p.sig); err != nil {
		return err
	}
	_ = p.Signal(syscall.SIGCONT)
	t := time.NewTimer(p.grace)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	return p.Kill()
}
