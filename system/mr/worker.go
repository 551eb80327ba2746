package mr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"faultline/transport"
	"faultline/transport/tcp"
)

// ErrNoCoordinator says a worker never reached its coordinator.
var ErrNoCoordinator = errors.New("mr: coordinator unreachable")

// WorkerOption configures a worker.
type WorkerOption func(*workerConfig)

type workerConfig struct {
	coordinator  string
	dir          string
	serveAddr    string // "" = intermediates in dir
	localDir     string
	id           string
	goneAfter    time.Duration
	pollWait     time.Duration
	fetchTimeout time.Duration
	tcp          tcp.Config
	logger       *slog.Logger
	combine      ReduceFunc // nil: map output is not combined
}

// WithCoordinator sets the coordinator's address (default DefaultAddress,
// or $FAULTLINE_MR_COORDINATOR).
func WithCoordinator(addr string) WorkerOption {
	return func(c *workerConfig) { c.coordinator = addr }
}

// WithDir sets the directory where the worker writes outputs mr-out-* and,
// unless it serves them, intermediates mr-X-Y (default: the current
// directory). Workers of one job share it.
func WithDir(dir string) WorkerOption { return func(c *workerConfig) { c.dir = dir } }

// WithServeIntermediates makes the worker keep its map output in localDir
// (a fresh temporary directory, removed when the worker returns, if empty)
// and serve it to reduce workers over RPC at listenAddr ("127.0.0.1:0"
// picks a port; on a real network use an address other hosts can dial).
func WithServeIntermediates(listenAddr, localDir string) WorkerOption {
	return func(c *workerConfig) { c.serveAddr, c.localDir = listenAddr, localDir }
}

// WithWorkerID names the worker in the coordinator's timeline (default
// "w<pid>-<n>").
func WithWorkerID(id string) WorkerOption { return func(c *workerConfig) { c.id = id } }

// WithGoneAfter sets how long the coordinator may stay unreachable before
// the worker concludes it is gone and returns (default 3 s).
func WithGoneAfter(d time.Duration) WorkerOption {
	return func(c *workerConfig) { c.goneAfter = d }
}

// WithPollWait sets how long the coordinator may hold a task request when
// no task is ready (default 1 s).
func WithPollWait(d time.Duration) WorkerOption { return func(c *workerConfig) { c.pollWait = d } }

// WithFetchTimeout bounds one fetch of intermediate data from another worker
// (default 5 s); past it the data counts as lost and its map task runs
// again.
func WithFetchTimeout(d time.Duration) WorkerOption {
	return func(c *workerConfig) { c.fetchTimeout = d }
}

// WithWorkerTCPConfig sets the worker's transport settings.
func WithWorkerTCPConfig(cfg tcp.Config) WorkerOption { return func(c *workerConfig) { c.tcp = cfg } }

// WithCombiner makes the worker combine each map task's values of one
// key with f before writing them (see App.Combine); nil combines nothing.
func WithCombiner(f ReduceFunc) WorkerOption { return func(c *workerConfig) { c.combine = f } }

// WithWorkerLogger makes the worker log its tasks at debug level.
func WithWorkerLogger(l *slog.Logger) WorkerOption { return func(c *workerConfig) { c.logger = l } }

func (c *workerConfig) validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"gone after", c.goneAfter}, {"poll wait", c.pollWait}, {"fetch timeout", c.fetchTimeout}} {
		if d.v <= 0 {
			return fmt.Errorf("mr: worker %s = %v, want > 0", d.name, d.v)
		}
	}
	return c.tcp.Validate()
}

// callSlack is added to the poll wait to bound a task request.
const callSlack = 5 * time.Second

// Worker runs a worker with the given map and reduce functions until the
// job is done or the coordinator is gone, in the course's shape: errors are
// logged, not returned. See RunWorker.
func Worker(mapf MapFunc, reducef ReduceFunc, opts ...WorkerOption) {
	if err := RunWorker(context.Background(), mapf, reducef, opts...); err != nil {
		slog.Error("mr: worker", "err", err)
	}
}

var workerSeq atomic.Int64

func nextWorkerID() string {
	return "w" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(workerSeq.Add(1), 10)
}

// worker is one running worker.
type worker struct {
	cfg     workerConfig
	mapf    MapFunc
	reducef ReduceFunc
	log     *slog.Logger
	coord   *tcp.Client
	served  string // address serving our map output, "" if none
	peers   *peerClients
	scratch mapScratch // reused by runMap, which runs one task at a time
}

// RunApp runs a worker of app (RunWorker with app's Map and Reduce),
// combining map output with app.Combine when it has one.
func RunApp(ctx context.Context, app App, opts ...WorkerOption) error {
	return RunWorker(ctx, app.Map, app.Reduce, append([]WorkerOption{WithCombiner(app.Combine)}, opts...)...)
}

// RunWorker asks the coordinator for tasks and runs them until it is told
// the job is over (it returns nil), the coordinator has been unreachable
// for the gone-after time (nil if it was reached before, ErrNoCoordinator
// if never), or ctx ends (ctx.Err()).
func RunWorker(ctx context.Context, mapf MapFunc, reducef ReduceFunc, opts ...WorkerOption) error {
	cfg := workerConfig{
		coordinator:  defaultAddress(),
		dir:          ".",
		goneAfter:    3 * time.Second,
		pollWait:     time.Second,
		fetchTimeout: 5 * time.Second,
		tcp:          tcp.DefaultConfig(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if cfg.id == "" {
		cfg.id = nextWorkerID()
	}
	w := &worker{
		cfg:     cfg,
		mapf:    mapf,
		reducef: reducef,
		log:     cfg.logger,
		coord:   tcp.Dial(cfg.coordinator, cfg.tcp),
		peers:   newPeerClients(cfg.tcp),
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.log = w.log.With("worker", cfg.id)
	defer w.coord.Close()
	defer w.peers.close()
	if cfg.serveAddr != "" {
		stop, err := w.serve()
		if err != nil {
			return err
		}
		defer stop()
	}
	return w.loop(ctx)
}

// serve starts serving this worker's map output.
func (w *worker) serve() (stop func(), err error) {
	removeDir := false
	if w.cfg.localDir == "" {
		if w.cfg.localDir, err = os.MkdirTemp("", "mr-worker-*"); err != nil {
			return nil, fmt.Errorf("mr: worker: %w", err)
		}
		removeDir = true
	}
	srv := transport.NewServer()
	if err := srv.RegisterName("MapOutputs", &mapOutputs{dir: w.cfg.localDir}); err != nil {
		return nil, fmt.Errorf("mr: worker: %w", err)
	}
	ln, err := tcp.Listen(w.cfg.serveAddr, srv, w.cfg.tcp)
	if err != nil {
		if removeDir {
			os.RemoveAll(w.cfg.localDir)
		}
		return nil, fmt.Errorf("mr: worker: %w", err)
	}
	w.served = ln.Addr()
	return func() {
		ln.Close()
		if removeDir {
			os.RemoveAll(w.cfg.localDir)
		}
	}, nil
}

// loop is the worker's life: ask, run, report.
func (w *worker) loop(ctx context.Context) error {
	reached := false
	var failingSince time.Time
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var reply TaskReply
		asked := time.Now()
		err := w.callCoordinator(ctx, "Coordinator.RequestTask",
			&TaskRequest{Worker: w.cfg.id, MaxWait: w.cfg.pollWait}, &reply, w.cfg.pollWait+callSlack)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if failingSince.IsZero() {
				failingSince = time.Now()
			}
			if time.Since(failingSince) >= w.cfg.goneAfter {
				if !reached {
					return fmt.Errorf("%w at %s: %w", ErrNoCoordinator, w.cfg.coordinator, err)
				}
				w.log.Info("mr: coordinator gone; exiting", "err", err)
				return nil
			}
			if !sleepCtx(ctx, 50*time.Millisecond) {
				return ctx.Err()
			}
			continue
		}
		reached, failingSince = true, time.Time{}
		switch reply.Action {
		case ActionExit:
			return nil
		case ActionWait:
			if time.Since(asked) < 10*time.Millisecond && !sleepCtx(ctx, 10*time.Millisecond) {
				return ctx.Err()
			}
		case ActionRun:
			report := w.run(ctx, &reply)
			w.report(ctx, &report)
		}
	}
}

// callCoordinator makes one call bounded by timeout.
func (w *worker) callCoordinator(ctx context.Context, svcMeth string, args, reply any, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return w.coord.CallContext(cctx, svcMeth, args, reply)
}

// report delivers an attempt's report, retrying while the coordinator is
// unreachable, for up to the gone-after time. A report that never arrives
// is harmless: the task times out and runs again.
func (w *worker) report(ctx context.Context, r *TaskReport) {
	start := time.Now()
	for {
		var reply ReportReply
		err := w.callCoordinator(ctx, "Coordinator.ReportTask", r, &reply, callSlack)
		if err == nil {
			w.log.Debug("mr: reported", "task", r.Task, "attempt", r.Attempt, "status", r.Status, "accepted", reply.Accepted)
			return
		}
		if ctx.Err() != nil || time.Since(start) >= w.cfg.goneAfter || !sleepCtx(ctx, 50*time.Millisecond) {
			return
		}
	}
}

// run executes one attempt and returns its report.
func (w *worker) run(ctx context.Context, t *TaskReply) TaskReport {
	r := TaskReport{Worker: w.cfg.id, Task: t.Task, Attempt: t.Attempt}
	w.log.Debug("mr: running", "task", t.Task, "attempt", t.Attempt)
	switch t.Task.Kind {
	case MapTask:
		if err := w.runMap(t); err != nil {
			r.Status, r.Err = StatusFailed, err.Error()
			return r
		}
		r.Status, r.Location = StatusDone, w.served
	case ReduceTask:
		if lost, err := w.runReduce(ctx, t); lost != nil {
			r.Status, r.LostMap, r.LostFrom, r.Err = StatusLost, lost.m, lost.from, lost.err.Error()
		} else if err != nil {
			r.Status, r.Err = StatusFailed, err.Error()
		} else {
			r.Status = StatusDone
		}
	default:
		r.Status, r.Err = StatusFailed, fmt.Sprintf("unknown task kind %v", t.Task.Kind)
	}
	return r
}

// intermediateDir is where this worker writes its map output.
func (w *worker) intermediateDir() string {
	if w.served != "" {
		return w.cfg.localDir
	}
	return w.cfg.dir
}

// runMap maps one input file and writes one intermediate file per reduce
// task, each atomically.
func (w *worker) runMap(t *TaskReply) error {
	if t.NReduce < 1 {
		return fmt.Errorf("map task with nReduce = %d", t.NReduce)
	}
	data, err := os.ReadFile(t.File)
	if err != nil {
		return err
	}
	kvs := w.mapf(t.File, bytesToString(data))
	bufs := partitionRecords(kvs, t.NReduce, w.cfg.combine, &w.scratch)
	dir := w.intermediateDir()
	for r, buf := range bufs {
		if err := writeFileAtomic(dir, intermediateName(t.Task.Index, r), buf); err != nil {
			return err
		}
	}
	return nil
}

// lostOutput describes map output a reduce task could not read.
type lostOutput struct {
	m    int
	from string
	err  error
}

// runReduce reads every map task's output for this reduce task, groups it
// by key and writes mr-out-Y atomically. Output that cannot be read or
// decoded is reported lost, so that its map task runs again. Grouping
// takes two passes over the data: the first counts each key's values, so
// that the second appends them without ever regrowing a slice.
func (w *worker) runReduce(ctx context.Context, t *TaskReply) (*lostOutput, error) {
	y := t.Task.Index
	inputs := make([]string, t.NMap)
	counts := make(map[string]int)
	for m := range inputs {
		from := ""
		if m < len(t.Sources) {
			from = t.Sources[m]
		}
		data, err := w.readIntermediate(ctx, from, m, y)
		if err == nil {
			err = countGroups(data, func(key string, n int) { counts[key] += n })
		}
		if err != nil {
			return &lostOutput{m: m, from: from, err: err}, nil
		}
		inputs[m] = data
	}
	g := newGrouper()
	for key, n := range counts {
		g.reserve(key, n)
	}
	counts = nil
	for _, data := range inputs {
		if err := decodeGroups(data, g.values); err != nil {
			return nil, err // counted once already: cannot happen
		}
	}
	out, err := createAtomic(w.cfg.dir, outputName(y))
	if err != nil {
		return nil, err
	}
	if err := g.reduceTo(out, w.reducef); err != nil {
		out.Abort()
		return nil, err
	}
	return nil, out.Commit()
}

// readIntermediate returns map task m's output for reduce task y, served at
// from ("" = the shared directory).
func (w *worker) readIntermediate(ctx context.Context, from string, m, y int) (string, error) {
	var dir string
	switch {
	case from == "":
		dir = w.cfg.dir
	case from == w.served:
		dir = w.cfg.localDir
	default:
		return w.peers.fetch(ctx, from, m, y, w.cfg.fetchTimeout)
	}
	data, err := os.ReadFile(filepath.Join(dir, intermediateName(m, y)))
	return bytesToString(data), err
}

// sleepCtx sleeps for d or until ctx ends, and reports whether it slept
// the whole time.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
