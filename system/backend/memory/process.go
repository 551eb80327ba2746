package memory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"faultline/system/backend"
)

// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
const stopGrace = 3 * time.Second

// procCluster is a node running as a separate OS process.
type procCluster struct {
	spec backend.Spec

	mu   sync.Mutex
	proc *proc
	addr string // fixed after the first start, so clients survive restarts
}

var (
	_ backend.Killer = (*procCluster)(nil)
	_ backend.Pauser = (*procCluster)(nil)
)

// proc is one node process and the channel closed when it exits.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	log    *os.File
}

func startProcCluster(ctx context.Context, spec backend.Spec) (*procCluster, error) {
	c := &procCluster{spec: spec}
	p, addr, err := c.spawn(ctx, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c.proc, c.addr = p, addr
	return c, nil
}

// spawn starts a node process listening on addr and waits until it
// announces its address.
func (c *procCluster) spawn(ctx context.Context, addr string) (*proc, string, error) {
	args := append(append([]string(nil), c.spec.Exec[1:]...), "-addr", addr, "-name", nodeName)
	cmd := exec.Command(c.spec.Exec[0], args...)
	logf, err := os.OpenFile(filepath.Join(c.spec.Dir, nodeName+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", fmt.Errorf("memkv: node log: %w", err)
	}
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, "", fmt.Errorf("memkv: %w", err)
	}
	// Die with the harness even if it is killed outright, and stay out of
	// its process group so that a Ctrl-C reaches only the harness, which
	// then stops the node in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, "", fmt.Errorf("memkv: start node: %w", err)
	}
	p := &proc{cmd: cmd, exited: make(chan struct{}), log: logf}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		for sc.Scan() { // keep draining so the node never blocks on stdout
		}
	}()
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	select {
	case line, ok := <-lines:
		got, found := strings.CutPrefix(line, "listening ")
		if ok && found {
			return p, got, nil
		}
		p.kill()
		return nil, "", fmt.Errorf("memkv: node did not announce its address (first line %q); see %s", line, logf.Name())
	case <-ctx.Done():
		p.kill()
		return nil, "", fmt.Errorf("memkv: waiting for node: %w", ctx.Err())
	}
}

// kill sends SIGKILL (continuing a paused process first) and waits for
// the exit.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Nodes implements backend.Cluster.
func (c *procCluster) Nodes() []string { return []string{nodeName} }

// Client implements backend.Cluster: clients keep working across restarts
// (the node comes back on the same address).
func (c *procCluster) Client(ctx context.Context, id int) (backend.Client, error) {
	return NewClient(nodeName, c.addr), nil
}

func (c *procCluster) check(node string) error {
	if node != nodeName {
		return fmt.Errorf("memkv: no node %q (the only node is %q)", node, nodeName)
	}
	return nil
}

// Kill implements backend.Killer: SIGKILL, losing all data.
func (c *procCluster) Kill(ctx context.Context, node string) error {
	if err := c.check(node); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc == nil {
		return nil
	}
	c.proc.kill()
	c.proc = nil
	return nil
}

// Restart implements backend.Killer: a fresh, empty node on the same
// address.
func (c *procCluster) Restart(ctx context.Context, node string) error {
	if err := c.check(node); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != nil {
		return nil
	}
	p, _, err := c.spawn(ctx, c.addr)
	if err != nil {
		return err
	}
	c.proc = p
	return nil
}

// Pause implements backend.Pauser with SIGSTOP. It returns once the
// process is stopped (signals are delivered asynchronously).
func (c *procCluster) Pause(ctx context.Context, node string) error {
	return c.signal(ctx, node, syscall.SIGSTOP, true)
}

// Resume implements backend.Pauser with SIGCONT. It returns once the
// process runs again.
func (c *procCluster) Resume(ctx context.Context, node string) error {
	return c.signal(ctx, node, syscall.SIGCONT, false)
}

func (c *procCluster) signal(ctx context.Context, node string, sig syscall.Signal, stopped bool) error {
	if err := c.check(node); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc == nil {
		return fmt.Errorf("memkv: node %s is down", node)
	}
	if err := c.proc.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("memkv: signal %v: %w", sig, err)
	}
	return waitStopped(ctx, c.proc.cmd.Process.Pid, stopped)
}

// waitStopped polls /proc until the process's stopped state is want, for
// at most a second.
func waitStopped(ctx context.Context, pid int, want bool) error {
	deadline := time.Now().Add(time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil // no /proc, or the process is gone: nothing to wait for
		}
		// The state is the field after the parenthesised command name.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 || i+2 >= len(b) {
			return nil
		}
		st := b[i+2]
		if (st == 'T' || st == 't') == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("memkv: process %d state %q after signal", pid, st)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// Stop implements backend.Cluster: SIGTERM (after SIGCONT, in case the
// node is paused), SIGKILL after a grace period, and wait for the exit.
func (c *procCluster) Stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.proc
	if p == nil {
		return nil
	}
	c.proc = nil
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.exited:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	p.kill()
	return errors.New("memkv: node did not stop on SIGTERM; killed")
}
