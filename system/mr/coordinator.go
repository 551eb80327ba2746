package mr

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"faultline/transport"
	"faultline/transport/tcp"
)

// DefaultAddress is where the coordinator listens and workers look for it
// unless an option or EnvCoordinator says otherwise.
const DefaultAddress = "127.0.0.1:7777"

// EnvCoordinator, when set, replaces DefaultAddress for coordinators and
// workers alike (options still win).
const EnvCoordinator = "FAULTLINE_MR_COORDINATOR"

// DefaultTaskTimeout is how long a task may run before it is handed to
// another worker.
const DefaultTaskTimeout = 10 * time.Second

// DefaultMaxFailures is how many failure reports of one task (an input file
// that cannot be read, say) abandon the job. Timeouts and lost map output
// do not count.
const DefaultMaxFailures = 4

// maxHold caps how long RequestTask holds a worker when no task is ready.
const maxHold = 5 * time.Second

// Option configures a Coordinator.
type Option func(*coordinatorConfig)

type coordinatorConfig struct {
	addr        string
	taskTimeout time.Duration
	maxFailures int
	tcp         tcp.Config
	logger      *slog.Logger
}

// WithAddress makes the coordinator listen on addr ("127.0.0.1:0" picks a
// free port; Addr tells which).
func WithAddress(addr string) Option { return func(c *coordinatorConfig) { c.addr = addr } }

// WithTaskTimeout sets how long a task may run before it is handed to
// another worker (default DefaultTaskTimeout).
func WithTaskTimeout(d time.Duration) Option {
	return func(c *coordinatorConfig) { c.taskTimeout = d }
}

// WithMaxFailures sets how many failure reports of one task abandon the job
// (default DefaultMaxFailures).
func WithMaxFailures(n int) Option { return func(c *coordinatorConfig) { c.maxFailures = n } }

// WithTCPConfig sets the listener's transport settings.
func WithTCPConfig(cfg tcp.Config) Option { return func(c *coordinatorConfig) { c.tcp = cfg } }

// WithLogger makes the coordinator log every timeline event at debug level.
func WithLogger(l *slog.Logger) Option { return func(c *coordinatorConfig) { c.logger = l } }

func defaultAddress() string {
	if a := os.Getenv(EnvCoordinator); a != "" {
		return a
	}
	return DefaultAddress
}

// validate checks every setting; errors name the field and value.
func (c *coordinatorConfig) validate(nReduce int) error {
	if nReduce < 1 {
		return fmt.Errorf("mr: nReduce = %d, want >= 1", nReduce)
	}
	if c.taskTimeout <= 0 {
		return fmt.Errorf("mr: task timeout = %v, want > 0", c.taskTimeout)
	}
	if c.maxFailures < 1 {
		return fmt.Errorf("mr: max failures = %d, want >= 1", c.maxFailures)
	}
	return c.tcp.Validate()
}

// Coordinator runs one job: it serves the RPC service "Coordinator"
// (RequestTask, ReportTask) on a TCP listener and keeps the task table. It
// is the thin driver around the deterministic taskTable: it owns the clock,
// the lock and the listener.
type Coordinator struct {
	cfg coordinatorConfig
	ln  *tcp.Listener
	log *slog.Logger

	mu       sync.Mutex
	table    *taskTable
	logged   int           // events already logged
	changed  chan struct{} // closed and replaced whenever a report arrives
	finished chan struct{} // closed once the job is over
	closing  chan struct{} // closed by Close
	closed   bool
}

// StartCoordinator starts the coordinator of a job with one map task per
// file and nReduce reduce tasks, listening at DefaultAddress (or
// $FAULTLINE_MR_COORDINATOR, or the address of WithAddress).
func StartCoordinator(files []string, nReduce int, opts ...Option) (*Coordinator, error) {
	cfg := coordinatorConfig{
		addr:        defaultAddress(),
		taskTimeout: DefaultTaskTimeout,
		maxFailures: DefaultMaxFailures,
		tcp:         tcp.DefaultConfig(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(nReduce); err != nil {
		return nil, err
	}
	c := &Coordinator{
		cfg:      cfg,
		log:      cfg.logger,
		table:    newTaskTable(files, nReduce, cfg.taskTimeout, cfg.maxFailures, time.Now()),
		changed:  make(chan struct{}),
		finished: make(chan struct{}),
		closing:  make(chan struct{}),
	}
	srv := transport.NewServer()
	if err := srv.Register(c); err != nil {
		return nil, fmt.Errorf("mr: coordinator: %w", err)
	}
	ln, err := tcp.Listen(cfg.addr, srv, cfg.tcp)
	if err != nil {
		return nil, fmt.Errorf("mr: coordinator: %w", err)
	}
	c.ln = ln
	return c, nil
}

// MakeCoordinator is StartCoordinator in the course's shape: it panics if
// the coordinator cannot start (a bad option, the address in use).
func MakeCoordinator(files []string, nReduce int, opts ...Option) *Coordinator {
	c, err := StartCoordinator(files, nReduce, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

// Addr returns the address the coordinator listens on.
func (c *Coordinator) Addr() string { return c.ln.Addr() }

// Done reports whether the job is over: every reduce task done, or the job
// abandoned (Err says so).
func (c *Coordinator) Done() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.table.done()
}

// Finished returns a channel closed once the job is over.
func (c *Coordinator) Finished() <-chan struct{} { return c.finished }

// Err returns why the job was abandoned, or nil.
func (c *Coordinator) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.table.err()
}

// Timeline returns a copy of the job's events so far, in order.
func (c *Coordinator) Timeline() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.table.events...)
}

// Close stops the listener; workers then find the coordinator gone. Close
// is idempotent.
func (c *Coordinator) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.closing)
	c.mu.Unlock()
	if err := c.ln.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("mr: coordinator close: %w", err)
	}
	return nil
}

// afterChangeLocked notes the end of the job, logs new events and, if wake,
// wakes held requests. c.mu must be held.
func (c *Coordinator) afterChangeLocked(wake bool) {
	if wake {
		close(c.changed)
		c.changed = make(chan struct{})
	}
	if c.table.done() {
		select {
		case <-c.finished:
		default:
			close(c.finished)
		}
	}
	if c.log != nil {
		for _, e := range c.table.events[c.logged:] {
			c.log.Debug("mr: " + e.String())
		}
	}
	c.logged = len(c.table.events)
}

// RequestTask is the RPC handler by which a worker asks for a task. When no
// task is ready it holds the request, for up to args.MaxWait (capped at 5 s),
// until a report may have made one ready or a running task times out.
func (c *Coordinator) RequestTask(args *TaskRequest, reply *TaskReply) {
	hold := min(max(args.MaxWait, 0), maxHold)
	deadline := time.Now().Add(hold)
	for {
		c.mu.Lock()
		now := time.Now()
		*reply = c.table.assign(args.Worker, now)
		if reply.Action != ActionWait || !now.Before(deadline) || c.closed {
			c.afterChangeLocked(false)
			c.mu.Unlock()
			return
		}
		wake := deadline
		if d, ok := c.table.nextDeadline(); ok && d.Before(wake) {
			wake = d
		}
		changed := c.changed
		c.mu.Unlock()
		timer := time.NewTimer(time.Until(wake))
		select {
		case <-changed:
		case <-timer.C:
		case <-c.closing:
		}
		timer.Stop()
	}
}

// ReportTask is the RPC handler by which a worker reports an attempt's
// outcome.
func (c *Coordinator) ReportTask(args *TaskReport, reply *ReportReply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reply.Accepted = c.table.report(args, time.Now())
	c.afterChangeLocked(true)
}
