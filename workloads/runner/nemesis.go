package runner

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"faultline/system/backend"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// Nemesis injects faults into a cluster during a run, in the shape of
// Jepsen's nemesis: the chaos controller implements it. The runner calls
// Setup once before any load, Run for the measured part of the run, and Heal
// once after Run has returned (even when the run fails or is interrupted).
type Nemesis interface {
	// Setup checks that the cluster has the powers the fault schedule
	// needs (kill, pause, partition) and prepares them. An error aborts the
	// run before any load starts.
	Setup(ctx context.Context, c backend.Cluster) error
	// Run applies the fault schedule until ctx is done, then returns. Every
	// fault is reported through ev: Begin when it takes effect, End when it
	// is undone; instantaneous ones with Point. Every scheduled occurrence
	// is also reported once with Fault (intended and actual window), so
	// that a fault that never happened cannot vanish from the verdict.
	Run(ctx context.Context, ev *Events) error
	// Heal undoes every fault still in effect and ends their windows in ev.
	Heal(ctx context.Context, ev *Events) error
}

// StorageNemesis is a Nemesis that says whether its schedule has storage
// faults; the runner then starts the cluster with
// backend.Spec.StorageFaults, so that its nodes' data directories are on
// a fault-injecting file system. Without storage faults nothing is mounted.
type StorageNemesis interface {
	Nemesis
	StorageFaults() bool
}

// Events records fault windows and cluster events into the run's history
// with the run's clock. It is safe for concurrent use.
type Events struct {
	clock history.Clock
	hist  *history.Writer

	mu     sync.Mutex
	open   map[int]history.Event
	nextID int
	done   []history.Event
	faults []results.Fault
}

func newEvents(clock history.Clock, hist *history.Writer) *Events {
	return &Events{clock: clock, hist: hist, open: map[int]history.Event{}}
}

// Now is the run's clock: nanoseconds since the run started.
func (e *Events) Now() int64 { return e.clock.Now() }

// Begin opens a fault window that starts now and returns its id for End.
func (e *Events) Begin(kind string, nodes []string, desc string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := e.nextID
	e.nextID++
	e.open[id] = history.Event{Kind: kind, Start: e.clock.Now(), Stop: history.Open, Nodes: nodes, Desc: desc}
	return id
}

// End closes the window id now and writes it to the history. Ending an
// unknown or already ended window does nothing.
func (e *Events) End(id int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev, ok := e.open[id]
	if !ok {
		return
	}
	delete(e.open, id)
	ev.Stop = max(e.clock.Now(), ev.Start)
	e.write(ev)
}

// Point records an instantaneous event (a leader change, a restart).
func (e *Events) Point(kind string, nodes []string, desc string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	e.write(history.Event{Kind: kind, Start: now, Stop: now, Nodes: nodes, Desc: desc})
}

func (e *Events) write(ev history.Event) {
	e.done = append(e.done, ev)
	if e.hist != nil {
		_ = e.hist.WriteEvent(ev)
	}
}

// Fault records one scheduled fault occurrence with its intended and
// actual window; the run's faults check judges them.
func (e *Events) Fault(f results.Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
}

// Faults returns the fault occurrences recorded, in the order recorded.
func (e *Events) Faults() []results.Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]results.Fault(nil), e.faults...)
}

// Active lists the descriptions (or kinds) of the open windows, oldest
// first, for the live progress line.
func (e *Events) Active() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := e.openIDs()
	out := make([]string, len(ids))
	for i, id := range ids {
		ev := e.open[id]
		out[i] = ev.Kind
		if ev.Desc != "" {
			out[i] = ev.Desc
		}
	}
	return out
}

// openIDs lists the ids of the open windows, oldest first; the caller
// holds mu.
func (e *Events) openIDs() []int {
	return slices.Sorted(maps.Keys(e.open))
}

// closeAll writes every window still open with Stop = history.Open and
// returns every event recorded.
func (e *Events) closeAll() []history.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range e.openIDs() {
		e.write(e.open[id])
		delete(e.open, id)
	}
	return append([]history.Event(nil), e.done...)
}

// nemesisLoop runs a Nemesis (nil for none) in the background of a run:
// start begins its Run, stop ends it and heals, recording what went wrong
// as "nemesis-error" events. Both are called from one goroutine.
type nemesisLoop struct {
	n      Nemesis
	ev     *Events
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan error
}

// start runs the nemesis until stop; it does nothing without a nemesis or
// when it already runs.
func (l *nemesisLoop) start(ctx context.Context) {
	if l.n == nil || l.done != nil {
		return
	}
	var nctx context.Context
	nctx, l.cancel = context.WithCancel(ctx)
	l.done = make(chan error, 1)
	go func() { l.done <- l.n.Run(nctx, l.ev) }()
}

// stop ends the nemesis's Run and heals every fault still in effect, even
// when ctx is done.
func (l *nemesisLoop) stop(ctx context.Context) {
	if l.done == nil {
		return
	}
	l.cancel()
	if err := <-l.done; err != nil && !errors.Is(err, context.Canceled) {
		l.log.Warn("nemesis run", "err", err)
		l.ev.Point("nemesis-error", nil, err.Error())
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healTimeout)
	defer cancel()
	if err := l.n.Heal(hctx, l.ev); err != nil {
		l.log.Warn("nemesis heal", "err", err)
		l.ev.Point("nemesis-error", nil, "heal: "+err.Error())
	}
	l.done = nil
}

// healTimeout bounds the final heal.
const healTimeout = 30 * time.Second

// observe records the cluster's own events (leader changes) as point
// events, when it reports any, until the returned stop is called.
func observe(c backend.Cluster, ev *Events) (stop func()) {
	obs, ok := c.(backend.Observer)
	if !ok {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ch := obs.Events()
		for {
			select {
			case e, ok := <-ch:
				if !ok {
					return
				}
				var nodes []string
				if e.Node != "" {
					nodes = []string{e.Node}
				}
				ev.Point(e.Kind, nodes, e.Detail)
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
