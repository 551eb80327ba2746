package raftkv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// proc is one node running as a child process in its own process group.
type proc struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed once Wait returned
	err  error         // Wait's result, set before done closes
}

// startProc runs exec plus cfg's node arguments, with output appended to
// node-<id>.log in dir.
func startProc(execArgs []string, cfg NodeConfig, dir string) (*proc, error) {
	logPath := filepath.Join(dir, fmt.Sprintf("node-%d.log", cfg.ID))
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("raftkv: node %d log: %w", cfg.ID, err)
	}
	args := append(append([]string(nil), execArgs[1:]...), nodeArgs(cfg)...)
	cmd := exec.Command(execArgs[0], args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("raftkv: start node %d: %w", cfg.ID, err)
	}
	p := &proc{cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p, nil
}

// signal sends sig to the process group.
func (p *proc) signal(sig syscall.Signal) error {
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("raftkv: signal %v to pid %d: %w", sig, p.cmd.Process.Pid, err)
	}
	return nil
}

// kill SIGKILLs the process group and waits for the process.
func (p *proc) kill() error {
	err := p.signal(syscall.SIGKILL)
	<-p.done
	return err
}

// stop asks the node to stop (SIGTERM, and SIGCONT in case it is paused),
// then SIGKILLs the group if it has not exited within stopGrace or by the
// end of ctx.
func (p *proc) stop(ctx context.Context) error {
	if err := p.signal(syscall.SIGTERM); err != nil {
		return err
	}
	_ = p.signal(syscall.SIGCONT)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.done:
		// Make sure no stray member of the group survives its leader.
		_ = p.signal(syscall.SIGKILL)
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	return p.kill()
}
