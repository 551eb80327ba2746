package maelstrom

import (
	"context"
	"errors"

	"faultline/system/backend"
	"faultline/workloads/history"
)

// Request is one request a client makes.
type Request struct {
	// F is the request's type ("broadcast").
	F string
	// Args is its JSON-encoded fields besides type and msg_id (nil for
	// none): `{"message":7}`.
	Args []byte
	// Op is the history record's template for lin-kv requests: Kind
	// (Read, Write or CAS), Key, Value and Expect. A zero Kind records the
	// request as a history.Call.
	Op history.Op
}

// Record returns the history record of req answered by reply or err; the
// caller sets Client, Node, Invoke and Complete. An error wrapping
// backend.ErrDefinite is Fail, any other error Info. A lin-kv read is
// recorded with Output the canonical JSON of the reply's value ("" for a
// null value, the register's initial state); a read whose reply has no
// decodable value is recorded Info with an Error starting "malformed
// reply", which the lin-kv check reports.
func (req Request) Record(reply []byte, err error) history.Op {
	op := req.Op
	if op.Kind == 0 {
		op = history.Op{Kind: history.Call, Key: req.F, Value: string(req.Args)}
	}
	switch {
	case err == nil:
		op.Outcome = history.OK
	case errors.Is(err, backend.ErrDefinite):
		op.Outcome, op.Error = history.Fail, err.Error()
	default:
		op.Outcome, op.Error = history.Info, err.Error()
	}
	if op.Outcome != history.OK {
		return op
	}
	switch op.Kind {
	case history.Call:
		op.Output = string(reply)
	case history.Read:
		v, derr := fieldOf(reply, "value")
		if derr != nil {
			op.Outcome, op.Error = history.Info, malformed+derr.Error()
			return op
		}
		if op.Output = canonical(v); op.Output == "null" {
			op.Output = ""
		}
	}
	return op
}

// malformed starts the Error of a lin-kv read whose ok reply did not
// decode.
const malformed = "malformed reply: "

// Recorder is a backend.Invoker that records every request it passes on:
// the runner gives one to each client and one (Client 0, the harness) to
// Setup and Final.
type Recorder struct {
	// Invoker sends the requests.
	Invoker backend.Invoker
	// Client is recorded as the ops' client.
	Client int
	// Own is the client's own node, recorded for requests sent to node "".
	Own string
	// Now reads the run's clock (history.Clock's nanoseconds).
	Now func() int64
	// Sink receives each record; it must be safe for concurrent use when
	// Recorders share it.
	Sink func(history.Op)
}

var _ backend.Invoker = (*Recorder)(nil)

// Do invokes req at node ("" for the client's own) and records it.
func (r *Recorder) Do(ctx context.Context, node string, req Request) ([]byte, error) {
	start := r.Now()
	reply, err := r.Invoker.Invoke(ctx, node, req.F, req.Args)
	op := req.Record(reply, err)
	op.Client, op.Node, op.Invoke, op.Complete = r.Client, node, start, r.Now()
	if node == "" {
		op.Node = r.Own
	}
	r.Sink(op)
	return reply, err
}

// Invoke implements backend.Invoker, recording the request as a
// history.Call.
func (r *Recorder) Invoke(ctx context.Context, node, f string, args []byte) ([]byte, error) {
	return r.Do(ctx, node, Request{F: f, Args: args})
}

// FinalEvent is the Kind of the event that marks the final phase's start.
const FinalEvent = "final-phase"

// FinalPhase returns the event the runner records when the final phase
// begins, at run time at.
func FinalPhase(at int64) history.Event {
	return history.Event{Kind: FinalEvent, Start: at, Stop: at, Desc: "faults healed; final reads"}
}

// finalStart returns when the final phase began, and whether it did.
func finalStart(events []history.Event) (int64, bool) {
	for _, e := range events {
		if e.Kind == FinalEvent {
			return e.Start, true
		}
	}
	return 0, false
}
