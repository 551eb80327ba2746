package mr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Worker processes are started by re-executing the current program (or
// another one that calls WorkerProcessMain) with the environment variables
// below; WorkerProcessMain notices them and runs a worker instead of main.
const (
	// envWorkerProcess marks a worker process.
	envWorkerProcess = "FAULTLINE_MR_WORKER_PROCESS"
	// EnvApp names the worker process's application (see OpenApp).
	EnvApp = "FAULTLINE_MR_APP"
	// EnvDir is the worker process's shared directory (see WithDir).
	EnvDir = "FAULTLINE_MR_DIR"
	// EnvWorkerID names the worker process (see WithWorkerID).
	EnvWorkerID = "FAULTLINE_MR_WORKER_ID"
	// EnvServe, if set, is the address at which the worker process serves
	// its map output (see WithServeIntermediates).
	EnvServe = "FAULTLINE_MR_SERVE"
	// EnvLocalDir is where a serving worker process keeps its map output
	// (see WithServeIntermediates); default a temporary directory.
	EnvLocalDir = "FAULTLINE_MR_LOCAL_DIR"
	// EnvGoneAfter is the worker process's gone-after time, a Go duration
	// (see WithGoneAfter).
	EnvGoneAfter = "FAULTLINE_MR_GONE_AFTER"
	// EnvCPUProfileDir, if set, makes every worker process write a CPU
	// profile to <dir>/cpu-<worker id>.pprof.
	EnvCPUProfileDir = "FAULTLINE_MR_CPUPROFILE_DIR"
)

// Exit codes of a worker process.
const (
	exitOK     = 0
	exitFailed = 1 // the worker failed, or the crash app ended it
	exitConfig = 2 // the worker could not start: bad app or settings
)

// WorkerProcessMain runs a worker and exits if this process was started as
// a worker process (by RunJob); otherwise it returns at once. Programs that
// run jobs with worker processes call it first thing in main (and tests in
// TestMain), before parsing flags.
func WorkerProcessMain() {
	if os.Getenv(envWorkerProcess) != "1" {
		return
	}
	os.Exit(runWorkerProcess())
}

func runWorkerProcess() int {
	app, err := OpenApp(os.Getenv(EnvApp))
	if err != nil {
		fmt.Fprintln(os.Stderr, "mr worker process:", err)
		return exitConfig
	}
	var opts []WorkerOption
	if d := os.Getenv(EnvDir); d != "" {
		opts = append(opts, WithDir(d))
	}
	if id := os.Getenv(EnvWorkerID); id != "" {
		opts = append(opts, WithWorkerID(id))
	}
	if a := os.Getenv(EnvServe); a != "" {
		opts = append(opts, WithServeIntermediates(a, os.Getenv(EnvLocalDir)))
	}
	if v := os.Getenv(EnvGoneAfter); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mr worker process: %s: %v\n", EnvGoneAfter, err)
			return exitConfig
		}
		opts = append(opts, WithGoneAfter(d))
	}
	if dir := os.Getenv(EnvCPUProfileDir); dir != "" {
		f, err := os.Create(filepath.Join(dir, "cpu-"+os.Getenv(EnvWorkerID)+".pprof"))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
	}
	if err := RunWorker(context.Background(), app.Map, app.Reduce, opts...); err != nil {
		fmt.Fprintln(os.Stderr, "mr worker process:", err)
		if errors.Is(err, ErrNoCoordinator) {
			return exitConfig
		}
		return exitFailed
	}
	return exitOK
}

// processSpec describes a worker process to start.
type processSpec struct {
	executable  string // default: os.Executable()
	app         string // EnvApp
	coordinator string // EnvCoordinator
	dir         string // EnvDir
	id          string // EnvWorkerID
	serve       string // EnvServe
	localDir    string // EnvLocalDir
	goneAfter   time.Duration
	env         []string // extra variables
	stderr      io.Writer
}

// workerProcess is one running worker process.
type workerProcess struct {
	id   string
	cmd  *exec.Cmd
	tail *tailBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done
}

// startWorkerProcess starts a worker process; a goroutine waits for it.
func startWorkerProcess(spec processSpec) (*workerProcess, error) {
	exe := spec.executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("mr: worker process: %w", err)
		}
	}
	var args []string
	if strings.HasSuffix(filepath.Base(exe), ".test") {
		// A test binary that forgot WorkerProcessMain runs no tests.
		args = append(args, "-test.run=^$")
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(),
		envWorkerProcess+"=1",
		EnvApp+"="+spec.app,
		EnvCoordinator+"="+spec.coordinator,
		EnvDir+"="+spec.dir,
		EnvWorkerID+"="+spec.id,
		EnvServe+"="+spec.serve,
		EnvLocalDir+"="+spec.localDir,
	)
	if spec.goneAfter > 0 {
		cmd.Env = append(cmd.Env, EnvGoneAfter+"="+spec.goneAfter.String())
	}
	cmd.Env = append(cmd.Env, spec.env...)
	p := &workerProcess{id: spec.id, cmd: cmd, tail: &tailBuffer{max: 4096}, done: make(chan struct{})}
	if spec.stderr != nil {
		cmd.Stderr = io.MultiWriter(p.tail, spec.stderr)
	} else {
		cmd.Stderr = p.tail
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("mr: worker process: %w", err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *workerProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode returns the exit code, or -1 if the process was killed by a
// signal or has not exited.
func (p *workerProcess) exitCode() int {
	if !p.exited() {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// signal sends sig unless the process has exited.
func (p *workerProcess) signal(sig syscall.Signal) {
	if !p.exited() {
		_ = p.cmd.Process.Signal(sig)
	}
}

// kill kills the process (resuming it first, should it be stopped) and
// waits for it to exit.
func (p *workerProcess) kill() {
	p.signal(syscall.SIGKILL)
	<-p.done
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

// Write implements io.Writer.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// String returns the bytes kept.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
