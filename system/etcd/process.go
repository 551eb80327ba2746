package etcd

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

// proc is one member running as a child process in its own process group,
// so that signals reach it and nothing it spawned.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once Wait returned
}

// startProc runs execArgs plus cfg's member arguments, with output
// appended to <name>.log in dir.
func startProc(execArgs []string, cfg MemberConfig, dir string) (*proc, error) {
	logPath := filepath.Join(dir, cfg.Name+".log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("etcd: member %s log: %w", cfg.Name, err)
	}
	args := append(append([]string(nil), execArgs[1:]...), memberArgs(cfg)...)
	cmd := exec.Command(execArgs[0], args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("etcd: start member %s: %w", cfg.Name, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p, nil
}

// signal sends sig to the process group; a group that is gone is not an
// error.
func (p *proc) signal(sig syscall.Signal) error {
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("etcd: signal %v to pid %d: %w", sig, p.cmd.Process.Pid, err)
	}
	return nil
}

// kill SIGKILLs the process group and waits for the process.
func (p *proc) kill() error {
	err := p.signal(syscall.SIGKILL)
	<-p.done
	return err
}

// stop sends SIGTERM (and SIGCONT, in case the member is paused), then
// SIGKILLs the group if the member has not exited within stopGrace or by
// the end of ctx.
func (p *proc) stop(ctx context.Context) error {
	if err := p.signal(syscall.SIGTERM); err != nil {
		return err
	}
	_ = p.signal(syscall.SIGCONT)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.done:
		_ = p.signal(syscall.SIGKILL) // no stray member of the group survives
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	return p.kill()
}
