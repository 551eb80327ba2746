package runner

import (
	"context"
	"sort"
	"sync"

	"faultline/system/backend"
	"faultline/workloads/history"
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
	// is undone; instantaneous ones with Point.
	Run(ctx context.Context, ev *Events) error
	// Heal undoes every fault still in effect and ends their windows in ev.
	Heal(ctx context.Context, ev *Events) error
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

// Active lists the descriptions (or kinds) of the open windows, oldest
// first, for the live progress line.
func (e *Events) Active() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := make([]int, 0, len(e.open))
	for id := range e.open {
		ids = append(ids, id)
	}
	sort.Ints(ids)
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

// closeAll writes every window still open with Stop = history.Open and
// returns every event recorded.
func (e *Events) closeAll() []history.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := make([]int, 0, len(e.open))
	for id := range e.open {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		e.write(e.open[id])
		delete(e.open, id)
	}
	return append([]history.Event(nil), e.done...)
}
