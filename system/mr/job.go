package mr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// JobConfig describes a job for RunJob. Zero fields take the defaults
// given.
type JobConfig struct {
	// App is a built-in application's name or a plugin's path (see
	// OpenApp); default "wc".
	App string
	// Files are the input files, one map task each; required.
	Files []string
	// NReduce is the number of reduce tasks; default 10.
	NReduce int
	// Workers is the number of workers kept running; default 2.
	Workers int
	// InProcess runs workers as goroutines of this process rather than as
	// worker processes. Chaos and the crash app need processes.
	InProcess bool
	// ServeIntermediates makes workers serve their map output over RPC
	// (WithServeIntermediates) instead of sharing it through Dir.
	ServeIntermediates bool
	// Dir receives the outputs (and shared intermediates). If empty, a
	// temporary directory is used and removed before RunJob returns.
	Dir string
	// TaskTimeout is the coordinator's task timeout; default
	// DefaultTaskTimeout.
	TaskTimeout time.Duration
	// Chaos kills and stalls worker processes while the job runs.
	Chaos Chaos
	// Verify runs Sequential on the same input afterwards, times it, and
	// compares the outputs.
	Verify bool
	// Seed drives the chaos schedule; default 1.
	Seed int64
	// Executable is the program started as a worker process; default this
	// one (os.Executable), which must call WorkerProcessMain.
	Executable string
	// Env adds environment variables to worker processes.
	Env []string
	// Stderr receives worker processes' standard error; nil discards it.
	Stderr io.Writer
	// MaxRestarts bounds the replacement of dead worker processes; default
	// 1000.
	MaxRestarts int
	// Logger receives the coordinator's events at debug level.
	Logger *slog.Logger
}

// Chaos is a fault schedule for worker processes. Intervals are jittered
// uniformly in [0.5, 1.5) times their value; zero disables a fault.
type Chaos struct {
	// KillEvery is the mean time between SIGKILLs of a random worker
	// process; a replacement starts at once.
	KillEvery time.Duration
	// StallEvery is the mean time between stalls: a random worker process
	// is stopped (SIGSTOP) for StallFor, then resumed (SIGCONT).
	StallEvery time.Duration
	// StallFor is how long a stall lasts; default twice the task timeout,
	// so that the stalled worker's task is handed to another worker and
	// its late report must be ignored.
	StallFor time.Duration
	// MaxKills and MaxStalls bound the number of faults (0: no bound). A
	// bound guarantees progress: with map output served by workers, kills
	// faster than the map phase can finish would starve the job.
	MaxKills, MaxStalls int
}

func (c Chaos) enabled() bool { return c.KillEvery > 0 || c.StallEvery > 0 }

// JobResult is what RunJob measured.
type JobResult struct {
	// Dir is where the outputs were written (already removed if RunJob
	// made it).
	Dir string
	// Elapsed is the job's wall time, from the coordinator's start until
	// the last reduce task was done.
	Elapsed time.Duration
	// Sequential is the reference run's wall time, if verified.
	Sequential time.Duration
	// Verified says the outputs equal the reference output.
	Verified bool
	// Timeline holds the coordinator's task events and RunJob's worker
	// events, in time order.
	Timeline []Event
	// Attempts summarises the timeline per task attempt.
	Attempts []Attempt
	// WorkersStarted counts worker processes (or goroutines) started,
	// replacements included; Kills and Stalls count chaos faults; Crashes
	// counts worker processes that died by themselves before the job was
	// done; Restarts counts replacements started.
	WorkersStarted, Kills, Stalls, Crashes, Restarts int
	// WorkerCPU is the user and system CPU time used by worker processes
	// (zero for InProcess workers).
	WorkerCPU time.Duration
}

// ErrMismatch says a job's output differs from the reference output.
var ErrMismatch = errors.New("mr: job output differs from sequential output")

func (cfg *JobConfig) fill() error {
	if cfg.App == "" {
		cfg.App = "wc"
	}
	if cfg.NReduce == 0 {
		cfg.NReduce = 10
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if cfg.TaskTimeout == 0 {
		cfg.TaskTimeout = DefaultTaskTimeout
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.MaxRestarts == 0 {
		cfg.MaxRestarts = 1000
	}
	if cfg.Chaos.StallFor == 0 {
		cfg.Chaos.StallFor = 2 * cfg.TaskTimeout
	}
	switch {
	case len(cfg.Files) == 0:
		return errors.New("mr: job: no input files")
	case cfg.NReduce < 1:
		return fmt.Errorf("mr: job: NReduce = %d, want >= 1", cfg.NReduce)
	case cfg.Workers < 1:
		return fmt.Errorf("mr: job: Workers = %d, want >= 1", cfg.Workers)
	case cfg.TaskTimeout < 0:
		return fmt.Errorf("mr: job: TaskTimeout = %v, want > 0", cfg.TaskTimeout)
	case cfg.Chaos.KillEvery < 0 || cfg.Chaos.StallEvery < 0 || cfg.Chaos.StallFor < 0 ||
		cfg.Chaos.MaxKills < 0 || cfg.Chaos.MaxStalls < 0:
		return fmt.Errorf("mr: job: negative chaos interval in %+v", cfg.Chaos)
	case cfg.InProcess && cfg.Chaos.enabled():
		return errors.New("mr: job: chaos needs worker processes, not InProcess")
	case cfg.InProcess && cfg.App == "crash":
		return errors.New("mr: job: the crash app needs worker processes, not InProcess")
	}
	for i, f := range cfg.Files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return fmt.Errorf("mr: job: %w", err)
		}
		cfg.Files[i] = abs
	}
	return nil
}

// RunJob runs a whole job: a coordinator on a free loopback port, the
// configured number of workers (replaced as they die), the chaos schedule,
// and, if asked, verification against Sequential. It returns once the job is
// done and every worker has exited; a job that fails, an output mismatch
// (ErrMismatch) or ctx ending are errors (the result still holds what was
// measured).
func RunJob(ctx context.Context, cfg JobConfig) (JobResult, error) {
	cfg.Files = slices.Clone(cfg.Files)
	if err := cfg.fill(); err != nil {
		return JobResult{}, err
	}
	app, err := OpenApp(cfg.App)
	if err != nil {
		return JobResult{}, err
	}
	res := JobResult{Dir: cfg.Dir}
	if cfg.Dir == "" {
		if res.Dir, err = os.MkdirTemp("", "mr-job-*"); err != nil {
			return res, fmt.Errorf("mr: job: %w", err)
		}
		defer os.RemoveAll(res.Dir)
	} else if cfg.Dir, err = filepath.Abs(cfg.Dir); err != nil {
		return res, fmt.Errorf("mr: job: %w", err)
	} else {
		res.Dir = cfg.Dir
	}
	opts := []Option{WithAddress("127.0.0.1:0"), WithTaskTimeout(cfg.TaskTimeout)}
	if cfg.Logger != nil {
		opts = append(opts, WithLogger(cfg.Logger))
	}
	c, err := StartCoordinator(cfg.Files, cfg.NReduce, opts...)
	if err != nil {
		return res, err
	}
	defer c.Close()

	var events []Event
	if cfg.InProcess {
		err = runGoroutineWorkers(ctx, c, cfg, app, res.Dir, &res)
	} else {
		// Worker processes that serve map output keep it under scratch,
		// which goes when the job does: a killed worker cannot clean up.
		scratch, serr := os.MkdirTemp("", "mr-job-scratch-*")
		if serr != nil {
			return res, fmt.Errorf("mr: job: %w", serr)
		}
		defer os.RemoveAll(scratch)
		s := &supervisor{cfg: cfg, c: c, dir: res.Dir, scratch: scratch, res: &res,
			rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6d72)), exits: make(chan *workerProcess, cfg.Workers)}
		err = s.run(ctx)
		events = s.events
	}
	res.Timeline = mergeEvents(c.Timeline(), events)
	res.Attempts = Attempts(res.Timeline)
	if err == nil {
		err = c.Err()
	}
	if err != nil || !cfg.Verify {
		return res, err
	}
	return res, verify(app, cfg.Files, res.Dir, &res)
}

// jobElapsed returns the time of the job-done event.
func jobElapsed(events []Event) time.Duration {
	for _, e := range events {
		if e.Kind == EventJobDone || e.Kind == EventJobFailed {
			return e.At
		}
	}
	return 0
}

func mergeEvents(a, b []Event) []Event {
	out := append(slices.Clone(a), b...)
	slices.SortStableFunc(out, func(x, y Event) int {
		switch {
		case x.At < y.At:
			return -1
		case x.At > y.At:
			return 1
		}
		return 0
	})
	return out
}

// runGoroutineWorkers runs the job's workers in this process.
func runGoroutineWorkers(ctx context.Context, c *Coordinator, cfg JobConfig, app App, dir string, res *JobResult) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, cfg.Workers)
	for i := 0; i < cfg.Workers; i++ {
		opts := []WorkerOption{WithCoordinator(c.Addr()), WithDir(dir), WithWorkerID(fmt.Sprintf("g%d", i))}
		if cfg.ServeIntermediates {
			opts = append(opts, WithServeIntermediates("127.0.0.1:0", ""))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = RunWorker(ctx, app.Map, app.Reduce, opts...)
		}()
	}
	res.WorkersStarted = cfg.Workers
	select {
	case <-c.Finished():
	case <-ctx.Done():
	}
	res.Elapsed = jobElapsed(c.Timeline())
	wg.Wait()
	if err := ctx.Err(); err != nil && !c.Done() {
		return err
	}
	return errors.Join(errs...)
}

// verify runs the reference and compares its output with the job's.
func verify(app App, files []string, dir string, res *JobResult) error {
	var want bytes.Buffer
	start := time.Now()
	if err := Sequential(app, files, &want); err != nil {
		return err
	}
	res.Sequential = time.Since(start)
	outs, err := filepath.Glob(filepath.Join(dir, "mr-out-*"))
	if err != nil {
		return fmt.Errorf("mr: verify: %w", err)
	}
	var got bytes.Buffer
	for _, f := range outs {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("mr: verify: %w", err)
		}
		got.Write(b)
	}
	g, w := lines(got.String()), lines(want.String())
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				return fmt.Errorf("%w: line %d: got %q, want %q", ErrMismatch, i, g[i], w[i])
			}
		}
		return fmt.Errorf("%w: %d lines, want %d", ErrMismatch, len(g), len(w))
	}
	res.Verified = true
	return nil
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// supervisor keeps a job's worker processes running and applies chaos.
type supervisor struct {
	cfg     JobConfig
	c       *Coordinator
	dir     string
	scratch string // parent of serving workers' local directories
	res     *JobResult
	rng     *rand.Rand
	events  []Event

	slots   []*workerProcess // the current process of each slot
	all     []*workerProcess // every process started
	stalled map[*workerProcess]bool
	exits   chan *workerProcess
	quit    chan struct{}
}

func (s *supervisor) record(kind EventKind, worker, detail string) {
	s.events = append(s.events, Event{At: time.Since(s.c.table.start), Kind: kind, Worker: worker, Detail: detail})
}

// jitter returns d scaled by a random factor in [0.5, 1.5).
func (s *supervisor) jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(s.rng.Int64N(int64(d)))
}

// timerFor returns a timer firing after a jittered d, or a nil channel.
func (s *supervisor) timerFor(d time.Duration) (<-chan time.Time, *time.Timer) {
	if d <= 0 {
		return nil, nil
	}
	t := time.NewTimer(s.jitter(d))
	return t.C, t
}

func (s *supervisor) start(slot int) error {
	id := fmt.Sprintf("w%d-%d", slot, s.res.WorkersStarted)
	spec := processSpec{
		executable:  s.cfg.Executable,
		app:         s.cfg.App,
		coordinator: s.c.Addr(),
		dir:         s.dir,
		id:          id,
		env:         append([]string{EnvProbeDir + "=" + s.dir}, s.cfg.Env...),
		stderr:      s.cfg.Stderr,
	}
	if s.cfg.ServeIntermediates {
		spec.serve = "127.0.0.1:0"
		spec.localDir = filepath.Join(s.scratch, id)
		if err := os.Mkdir(spec.localDir, 0o755); err != nil {
			return fmt.Errorf("mr: job: %w", err)
		}
	}
	p, err := startWorkerProcess(spec)
	if err != nil {
		return err
	}
	s.res.WorkersStarted++
	s.slots[slot] = p
	s.all = append(s.all, p)
	s.record(EventWorkerStarted, id, "")
	go func() {
		<-p.done
		select {
		case s.exits <- p:
		case <-s.quit:
		}
	}()
	return nil
}

// pick returns a random live, running (not stalled) worker process.
func (s *supervisor) pick() *workerProcess {
	var live []*workerProcess
	for _, p := range s.slots {
		if p != nil && !p.exited() && !s.stalled[p] {
			live = append(live, p)
		}
	}
	if len(live) == 0 {
		return nil
	}
	return live[s.rng.IntN(len(live))]
}

// run supervises until the job is over, then lets the workers exit.
func (s *supervisor) run(ctx context.Context) error {
	s.slots = make([]*workerProcess, s.cfg.Workers)
	s.stalled = map[*workerProcess]bool{}
	s.quit = make(chan struct{})
	defer close(s.quit)
	defer s.shutdown()
	for i := range s.slots {
		if err := s.start(i); err != nil {
			return err
		}
	}
	killC, killT := s.timerFor(s.cfg.Chaos.KillEvery)
	stallC, stallT := s.timerFor(s.cfg.Chaos.StallEvery)
	resumes := make(chan *workerProcess, s.cfg.Workers)
	defer func() {
		for _, t := range []*time.Timer{killT, stallT} {
			if t != nil {
				t.Stop()
			}
		}
	}()
	for {
		select {
		case <-s.c.Finished():
			s.res.Elapsed = jobElapsed(s.c.Timeline())
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case p := <-s.exits:
			if err := s.exited(p); err != nil {
				return err
			}
		case <-killC:
			if p := s.pick(); p != nil {
				p.signal(syscall.SIGKILL)
				s.res.Kills++
				s.record(EventWorkerKilled, p.id, "")
			}
			if max := s.cfg.Chaos.MaxKills; max == 0 || s.res.Kills < max {
				killT.Reset(s.jitter(s.cfg.Chaos.KillEvery))
			}
		case <-stallC:
			if p := s.pick(); p != nil {
				p.signal(syscall.SIGSTOP)
				s.stalled[p] = true
				s.res.Stalls++
				s.record(EventWorkerStalled, p.id, s.cfg.Chaos.StallFor.String())
				time.AfterFunc(s.cfg.Chaos.StallFor, func() {
					select {
					case resumes <- p:
					case <-s.quit:
					}
				})
			}
			if max := s.cfg.Chaos.MaxStalls; max == 0 || s.res.Stalls < max {
				stallT.Reset(s.jitter(s.cfg.Chaos.StallEvery))
			}
		case p := <-resumes:
			if s.stalled[p] {
				delete(s.stalled, p)
				p.signal(syscall.SIGCONT)
				s.record(EventWorkerResumed, p.id, "")
			}
		}
	}
}

// exited handles a worker process's death before the job is over: it
// starts a replacement, unless the process could not start at all.
func (s *supervisor) exited(p *workerProcess) error {
	delete(s.stalled, p)
	s.record(EventWorkerExited, p.id, exitDetail(p))
	slot := slices.Index(s.slots, p)
	if slot < 0 || s.c.Done() {
		return nil
	}
	if p.exitCode() == exitConfig {
		return fmt.Errorf("mr: job: worker process %s could not start: %s", p.id, strings.TrimSpace(p.tail.String()))
	}
	if p.exitCode() >= 0 {
		s.res.Crashes++
	}
	if s.res.Restarts >= s.cfg.MaxRestarts {
		return fmt.Errorf("mr: job: %d worker restarts, giving up; last stderr: %s", s.res.Restarts, strings.TrimSpace(p.tail.String()))
	}
	s.res.Restarts++
	return s.start(slot)
}

func exitDetail(p *workerProcess) string {
	if p.err == nil {
		return "exit 0"
	}
	return p.err.Error()
}

// shutdownGrace is how long worker processes get to exit by themselves
// once the job is over.
const shutdownGrace = 5 * time.Second

// shutdown resumes stalled workers, gives every worker process the grace
// time to exit by itself (they are told the job is over) and kills the
// rest.
func (s *supervisor) shutdown() {
	for p := range s.stalled {
		p.signal(syscall.SIGCONT)
		s.record(EventWorkerResumed, p.id, "shutdown")
	}
	deadline := time.NewTimer(shutdownGrace)
	defer deadline.Stop()
	expired := false
	for _, p := range s.slots {
		if p == nil {
			continue
		}
		if !expired {
			select {
			case <-p.done:
			case <-deadline.C:
				expired = true
			}
		}
		if p.exited() {
			s.record(EventWorkerExited, p.id, exitDetail(p))
			continue
		}
		p.kill()
		s.record(EventWorkerKilled, p.id, "still running after the job")
	}
	for _, p := range s.all {
		<-p.done
		if ps := p.cmd.ProcessState; ps != nil {
			s.res.WorkerCPU += ps.UserTime() + ps.SystemTime()
		}
	}
}
