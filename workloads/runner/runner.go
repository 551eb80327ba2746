package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/gen"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// loadOptions are everything the load of one run needs besides its config.
type loadOptions struct {
	// Config is the run's config, defaulted and validated.
	Config workloads.Config
	// Cluster is the started system under test.
	Cluster backend.Cluster
	// History receives every op and event. Required.
	History *history.Writer
	// Clock is the run's time base; its zero is the run's start.
	Clock history.Clock
	// Nemesis injects faults during the measured phases; nil for none.
	Nemesis Nemesis
	// Progress, when set, is called about once a second from one goroutine.
	Progress func(Progress)
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Progress is a snapshot for the live progress line.
type Progress struct {
	Phase     string
	Elapsed   time.Duration
	Remaining time.Duration // of the planned duration; 0 when unknown
	Ops       int64         // completed so far, warm-up included
	Errors    int64         // fail + info so far
	OpsPerSec float64       // over the last interval
	Faults    []string      // active fault windows
}

// loadResult is the load part of a run, as measured (checks come later).
type loadResult struct {
	Start    time.Time
	Phases   []results.Phase
	Measured time.Duration // total length of the measured phases
	Stats    map[string]results.OpStats
	Series   []results.Second
	Events   []history.Event
	Faults   []results.Fault // the nemesis's scheduled faults, intended and actual
	Ops      int64           // all ops recorded, warm-up included
	// Interrupted says the context ended the run early.
	Interrupted bool
	// FinalRead counts the reads of every key made after a fault schedule
	// was healed (zero without faults).
	FinalRead FinalRead
	// Bare is the harness against the bare loop (config section bare);
	// nil without.
	Bare *results.Bare
}

// FinalRead is what the read of every key after the final heal found.
type FinalRead struct {
	Keys   int // keys read
	Read   int // reads that succeeded
	Failed int // reads that failed or timed out
}

func ptr(s string) *string { return &s }

// drive drives the cluster with the configured workload: warm-up (not
// counted), then each measured phase in turn, with the nemesis active
// during the measured phases. Every op is written to the history. It returns
// when the last phase ends or ctx is done (loadResult.Interrupted); an error
// means the run itself failed (no clients, the nemesis setup failed).
func drive(ctx context.Context, o loadOptions) (*loadResult, error) {
	if o.History == nil || o.Cluster == nil {
		return nil, errors.New("runner: the load needs a Cluster and a History")
	}
	cfg := o.Config
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g, err := gen.New(cfg.Workload, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	r := &run{
		o: o, cfg: cfg, log: log, clock: o.Clock,
		coll:   newCollector(o.Clock.Start()),
		events: newEvents(o.Clock, o.History),
	}
	var bare *bareRounds
	if cfg.BareOn() {
		if bare, err = newBareRounds(&cfg, o.Cluster); err != nil {
			return nil, err
		}
	}
	if o.Nemesis != nil {
		if err := o.Nemesis.Setup(ctx, o.Cluster); err != nil {
			return nil, fmt.Errorf("runner: nemesis setup: %w", err)
		}
	}
	r.workers = make([]*worker, cfg.Workload.Clients)
	for i := range r.workers {
		c, err := o.Cluster.Client(ctx, i)
		if err != nil {
			r.closeClients()
			return nil, fmt.Errorf("runner: client %d: %w", i, err)
		}
		r.workers[i] = newWorker(ctx, r, i, c, g.Client(i))
	}
	defer r.closeClients()

	stopObs := observe(o.Cluster, r.events)
	defer stopObs()

	plan := cfg.MeasuredPhases()
	if bare != nil {
		plan = barePlan(&cfg)
	}
	var phases []results.Phase
	phases, r.planned = planPhases(&cfg, plan)

	r.phase.Store(&phases[0].Name)
	progDone := r.startProgress(ctx)
	out := &loadResult{Start: o.Clock.Start()}

	nem := &nemesisLoop{n: o.Nemesis, ev: r.events, log: log}
	pi := 0
	var bareErr error // a bare stretch that could not run ends the run
	for i := range phases {
		p := &phases[i]
		var spec workloads.Phase
		if p.Measured {
			spec = plan[pi]
			pi++
			nem.start(ctx)
		} else {
			spec = workloads.Phase{Name: "warmup", Duration: cfg.Workload.Warmup, Loop: p.Loop, Rate: p.Rate}
		}
		round := pi - 1 // the harness/bare round of a measured phase
		if bare != nil && p.Measured && bareFirst(round) {
			if bareErr = r.runBare(ctx, bare, round); bareErr != nil {
				break
			}
		}
		r.phase.Store(&p.Name)
		r.runPhase(ctx, spec, p)
		if p.Measured {
			out.Measured += time.Duration(p.EndNS - p.StartNS)
		}
		if bare != nil && p.Measured {
			bare.harness(round, *p)
			if !bareFirst(round) && ctx.Err() == nil {
				if bareErr = r.runBare(ctx, bare, round); bareErr != nil {
					break
				}
			}
		}
		if ctx.Err() != nil {
			out.Interrupted = true
			out.Phases = phases[:i+1]
			break
		}
		out.Phases = phases[:i+1]
	}
	nem.stop(ctx)
	if o.Nemesis != nil && !out.Interrupted {
		r.phase.Store(ptr("final-read"))
		out.FinalRead.Keys = g.Keys()
		out.FinalRead.Read, out.FinalRead.Failed = r.finalRead(ctx, out.FinalRead.Keys)
	}
	close(progDone.stop)
	<-progDone.done
	out.Events = r.events.closeAll()
	out.Faults = r.events.Faults()
	out.Stats, out.Series = r.coll.snapshot(out.Measured.Seconds())
	for _, w := range r.workers {
		out.Ops += w.recorded
	}
	if bareErr != nil {
		return nil, bareErr
	}
	if bare != nil {
		out.Bare = bare.result()
	}
	return out, nil
}

// planPhases lists a run's phases as results record them, the warm-up
// (when there is one) before plan's measured phases, and the run's
// planned length.
func planPhases(cfg *workloads.Config, plan []workloads.Phase) ([]results.Phase, time.Duration) {
	var phases []results.Phase
	if cfg.Workload.Warmup > 0 {
		phases = append(phases, results.Phase{Name: "warmup", Loop: plan[0].Loop, Rate: plan[0].Rate})
	}
	planned := cfg.Workload.Warmup.D()
	for _, p := range plan {
		phases = append(phases, results.Phase{Name: p.Name, Measured: true, Loop: p.Loop, Rate: p.Rate})
		planned += p.Duration.D()
	}
	return phases, planned
}

// runBare runs round's bare stretch, named on the progress line.
func (r *run) runBare(ctx context.Context, b *bareRounds, round int) error {
	r.phase.Store(ptr(fmt.Sprintf("bare-%d", round+1)))
	return b.run(ctx, round)
}

// run is the state of one Run.
type run struct {
	o       loadOptions
	cfg     workloads.Config
	log     *slog.Logger
	clock   history.Clock
	coll    *collector
	events  *Events
	workers []*worker
	phase   atomic.Pointer[string]
	planned time.Duration
}

func (r *run) closeClients() {
	for _, w := range r.workers {
		if w != nil {
			w.close()
		}
	}
}

type progressLoop struct{ stop, done chan struct{} }

func (r *run) startProgress(ctx context.Context) progressLoop {
	p := progressLoop{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if r.o.Progress == nil {
			<-p.stop
			return
		}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var lastOps int64
		last := time.Now()
		for {
			select {
			case <-p.stop:
				return
			case <-ctx.Done():
				return
			case now := <-t.C:
				ops, errs := r.coll.progress()
				el := r.clock.Now()
				pr := Progress{Phase: *r.phase.Load(), Elapsed: time.Duration(el), Ops: ops, Errors: errs,
					OpsPerSec: float64(ops-lastOps) / now.Sub(last).Seconds(), Faults: r.events.Active()}
				if rem := r.planned - time.Duration(el); rem > 0 {
					pr.Remaining = rem
				}
				lastOps, last = ops, now
				r.o.Progress(pr)
			}
		}
	}()
	return p
}

// runPhase runs one phase on every worker and fills in p's times and
// counts.
func (r *run) runPhase(ctx context.Context, spec workloads.Phase, p *results.Phase) {
	pctx, cancel, ph := startPhase(ctx, spec, p, r.clock)
	defer cancel()
	var wg sync.WaitGroup
	for _, w := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.gen.SetMix(spec.Mix)
			if spec.Loop == workloads.LoopOpen {
				w.open(ctx, pctx, ph)
			} else {
				w.closed(ctx, pctx, ph)
			}
			ph.issued.Add(w.taken)
			w.taken = 0
			w.flush()
		}()
	}
	wg.Wait()
	p.EndNS = r.clock.Now()
	p.Ops = ph.issued.Load()
	if p.Ops > spec.Ops && spec.Ops > 0 {
		p.Ops = spec.Ops
	}
	p.Missed = ph.missed.Load()
}

// startPhase begins phase p run as spec: its context, which its duration
// ends, and the state its workers share; p's start is recorded.
func startPhase(ctx context.Context, spec workloads.Phase, p *results.Phase, clock history.Clock) (context.Context, context.CancelFunc, *phaseState) {
	pctx, cancel := ctx, context.CancelFunc(func() {})
	start := time.Now()
	if d := spec.Duration.D(); d > 0 {
		pctx, cancel = context.WithDeadline(ctx, start.Add(d))
	}
	p.StartNS = clock.Now()
	return pctx, cancel, &phaseState{spec: spec, measured: p.Measured, start: start, limit: spec.Ops}
}

// phaseState is shared by the workers of one phase.
type phaseState struct {
	spec     workloads.Phase
	measured bool
	start    time.Time
	limit    int64
	issued   atomic.Int64
	missed   atomic.Int64
}

// take reserves the next op of the phase for w; false when the op limit
// is reached. Without a limit, w counts its ops itself (taken, added to
// issued when the phase ends), sparing the workers a shared counter.
func (ph *phaseState) take(w *worker) bool {
	if ph.limit == 0 {
		w.taken++
		return true
	}
	return ph.issued.Add(1) <= ph.limit
}
