package runner

import (
	"context"
	"errors"
	"time"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/workloads/gen"
	"faultline/workloads/history"
)

// worker is one client of the run: a goroutine per phase, one op at a
// time. It keeps its own op contexts, history batch and measurements, so
// that an op takes no lock the other workers share (flush hands them on).
type worker struct {
	id     int
	r      *run
	client backend.Client
	served backend.Served // client, when it says which node served an op
	gen    *gen.ClientGen
	ops    *deadlines
	hist   *history.Batch
	stats  *samples
	// taken counts the ops the worker took in the current phase (see
	// phaseState.take), recorded those it wrote to the history.
	taken, recorded int64
}

// newWorker returns worker id of r, issuing its ops under ctx through
// client.
func newWorker(ctx context.Context, r *run, id int, client backend.Client, g *gen.ClientGen) *worker {
	w := &worker{id: id, r: r, client: client, gen: g, ops: newDeadlines(ctx),
		hist: r.o.History.NewBatch(), stats: r.coll.newSamples()}
	w.served, _ = client.(backend.Served)
	return w
}

// flush hands the worker's batched history and measurements on; every
// worker is flushed at the end of each phase.
func (w *worker) flush() {
	if err := w.hist.Flush(); err != nil {
		w.r.log.Error("history write", "err", err)
	}
	w.stats.flush()
}

// close releases the worker's client and timer.
func (w *worker) close() {
	w.ops.close()
	_ = w.client.Close()
}

// closed issues ops back to back until the phase ends.
func (w *worker) closed(ctx, pctx context.Context, ph *phaseState) {
	for pctx.Err() == nil && ph.take(w) {
		w.do(ctx, w.gen.Next(), time.Time{}, ph.measured)
	}
}

// open issues this worker's share of the phase's rate on a fixed schedule.
// Each op's latency is measured from its intended start, so when the
// backend stalls, the ops that should have been issued meanwhile carry the
// stall in their latency instead of silently not being sent (coordinated
// omission corrected, as in wrk2).
func (w *worker) open(ctx, pctx context.Context, ph *phaseState) {
	openSchedule(pctx, ph, w.id, len(w.r.workers), func() bool { return ph.take(w) },
		func(intended time.Time) { w.do(ctx, w.gen.Next(), intended, ph.measured) })
}

// openSchedule runs the open loop of worker id of n in phase ph: it calls
// issue at each of the worker's intended starts (ph.start + id/Rate +
// k·n/Rate), at once when behind, while take allows, until the phase
// ends; intended ops it could not issue in time count as missed.
func openSchedule(pctx context.Context, ph *phaseState, id, n int, take func() bool, issue func(intended time.Time)) {
	interval := time.Duration(float64(time.Second) * float64(n) / ph.spec.Rate)
	offset := time.Duration(float64(time.Second) * float64(id) / ph.spec.Rate)
	end, bounded := pctx.Deadline()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for k := 0; ; k++ {
		intended := ph.start.Add(offset + time.Duration(k)*interval)
		if bounded && !intended.Before(end) {
			return
		}
		if wait := time.Until(intended); wait > 0 {
			t.Reset(wait)
			select {
			case <-t.C:
			case <-pctx.Done():
				return
			}
		}
		if pctx.Err() != nil {
			// The phase ended while this worker was behind schedule: the
			// remaining intended ops were never sent.
			if bounded {
				ph.missed.Add(int64(end.Sub(intended)/interval) + 1)
			}
			return
		}
		if !take() {
			return
		}
		issue(intended)
	}
}

// do runs one generated op, records it in the history and measures it:
// its latency runs from intended, the open loop's scheduled start, or in
// a closed loop (intended zero) from the op's invocation, to its
// completion, both as the history records them (the clock is read twice
// per call, not again here).
func (w *worker) do(ctx context.Context, op gen.Op, intended time.Time, measured bool) {
	var h history.Op
	var errKind errClass
	switch op.Kind {
	case gen.Get:
		h, errKind = w.exec(ctx, history.Get, op.Key, "")
	case gen.Put:
		h, errKind = w.exec(ctx, history.Put, op.Key, op.Value)
	case gen.Append:
		h, errKind = w.exec(ctx, history.Append, op.Key, op.Value)
	case gen.RMW:
		h, errKind = w.exec(ctx, history.Get, op.Key, "")
		if h.Outcome == history.OK {
			invoke := h.Invoke
			h, errKind = w.exec(ctx, history.Put, op.Key, op.Value)
			h.Invoke = invoke
		}
	}
	from := h.Invoke
	if !intended.IsZero() {
		from = int64(intended.Sub(w.r.clock.Start()))
	}
	w.stats.add(sample{kind: op.Kind, out: h.Outcome, measured: measured, err: errKind,
		done: time.Duration(h.Complete), lat: time.Duration(h.Complete - from)})
}

// exec performs one client call with the op timeout, writes it to the
// history and returns it, with its error's kind.
func (w *worker) exec(ctx context.Context, kind history.Kind, key, value string) (history.Op, errClass) {
	return w.execTimeout(ctx, kind, key, value, w.r.cfg.Workload.Timeout.D())
}

// execTimeout is exec with its own op timeout.
func (w *worker) execTimeout(ctx context.Context, kind history.Kind, key, value string, timeout time.Duration) (history.Op, errClass) {
	h := history.Op{Client: w.id, Kind: kind, Key: key, Value: value}
	now := time.Now()
	h.Invoke = w.r.clock.At(now)
	// The op's context: the worker's own (deadlines) under the run's
	// context, a context.WithTimeout under any other.
	var octx context.Context
	var end func()
	if ctx == w.ops.parent {
		oc := w.ops.start(now, timeout)
		octx, end = oc, func() { w.ops.end(oc) }
	} else {
		octx, end = context.WithTimeout(ctx, timeout)
	}
	var err error
	switch kind {
	case history.Get:
		h.Output, err = w.client.Get(octx, key)
	case history.Put:
		err = w.client.Put(octx, key, value)
	case history.Append:
		err = w.client.Append(octx, key, value)
	}
	h.Complete = max(w.r.clock.Now(), h.Invoke)
	end()
	if w.served != nil {
		h.Node = w.served.LastNode()
	}
	h.Outcome = outcomeOf(err)
	if h.Outcome != history.OK {
		h.Output, h.Error = "", err.Error()
	}
	if werr := w.hist.WriteOp(&h); werr != nil {
		w.r.log.Error("history write", "err", werr)
	}
	w.recorded++
	return h, errorKind(err)
}

// outcomeOf classifies the error of a client call, the one place Faultline
// does so: nil is OK; an error wrapping backend.ErrDefinite is Fail (the
// operation certainly did not take effect); any other error is Info (the
// outcome is unknown: a timeout, a lost connection).
func outcomeOf(err error) history.Outcome {
	switch {
	case err == nil:
		return history.OK
	case errors.Is(err, backend.ErrDefinite):
		return history.Fail
	default:
		return history.Info
	}
}

// errClass is an error's class for the per-second error counts.
type errClass uint8

// Error classes; errNone is no error.
const (
	errNone errClass = iota
	errDefinite
	errTimeout
	errUnreachable
	errCanceled
	errOther
)

var errClassNames = [...]string{errNone: "", errDefinite: "definite", errTimeout: "timeout",
	errUnreachable: "unreachable", errCanceled: "canceled", errOther: "other"}

// String names the class as the series counts it ("timeout").
func (c errClass) String() string { return errClassNames[c] }

// errorKind classifies an error for the per-second error counts.
func errorKind(err error) errClass {
	switch {
	case err == nil:
		return errNone
	case outcomeOf(err) == history.Fail:
		return errDefinite
	case errors.Is(err, transport.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return errTimeout
	case errors.Is(err, transport.ErrUnreachable):
		return errUnreachable
	case errors.Is(err, context.Canceled):
		return errCanceled
	default:
		return errOther
	}
}
