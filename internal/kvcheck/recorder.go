package kvcheck

import (
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// Recorder collects a history of Get, Put and Append operations from many
// clients, for checker.KVModel. It is safe for concurrent use.
type Recorder struct {
	start time.Time
	mu    sync.Mutex
	ops   []porcupine.Operation
}

// NewRecorder returns an empty recorder whose clock starts now.
func NewRecorder() *Recorder { return &Recorder{start: time.Now()} }

// Now is the recorder's clock, for call and return times.
func (r *Recorder) Now() int64 { return int64(time.Since(r.start)) }

// Add records one finished operation of client, called at call and
// returned at ret: in.Value is a Put's or Append's argument, out the value
// a Get returned. in.Unknown marks an operation whose outcome the client
// could not learn; a Get of unknown outcome constrains nothing and is
// dropped.
func (r *Recorder) Add(client int, in checker.Input, out string, call, ret int64) {
	if in.Unknown && in.Kind == history.Get {
		return
	}
	r.mu.Lock()
	r.ops = append(r.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	r.mu.Unlock()
}

// Len returns the number of operations recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ops)
}

// Check runs porcupine with checker.KVModel over the history, with the
// given time limit. Append values must be unique (Token): an append of
// unknown outcome is bounded by the reads that saw it (see boundUnknown).
// An illegal history fails the test and writes porcupine's visualization
// to a temporary file whose path is printed; a check that runs out of time
// is logged as undecided, never as passing.
func (r *Recorder) Check(t testing.TB, limit time.Duration) porcupine.CheckResult {
	t.Helper()
	r.mu.Lock()
	ops := boundUnknown(slices.Clone(r.ops))
	r.mu.Unlock()
	model := checker.KVModel()
	res, info := porcupine.CheckOperationsVerbose(model, ops, limit)
	switch res {
	case porcupine.Illegal:
		f, err := os.CreateTemp("", "history-*.html")
		if err != nil {
			t.Fatalf("history of %d ops is not linearizable (and no temp file: %v)", len(ops), err)
		}
		if err := porcupine.Visualize(model, info, f); err != nil {
			t.Logf("visualize: %v", err)
		}
		f.Close()
		t.Fatalf("history of %d ops is not linearizable; visualization: %s", len(ops), f.Name())
	case porcupine.Unknown:
		t.Logf("linearizability check of %d ops ran out of time: undecided", len(ops))
	}
	return res
}

// boundUnknown gives each operation of unknown outcome the tightest return
// time the history proves. Append values are unique, so an append that
// some Get observed took effect before that Get returned: its return
// becomes the earliest such Get's. An append that no Get observed (the
// final reads included) is dropped: a write still pending forever is
// indistinguishable from one never made. A Put of unknown outcome stays
// pending until after everything else. Without these bounds an unknown
// append is concurrent with everything after it, and the search explodes.
func boundUnknown(ops []porcupine.Operation) []porcupine.Operation {
	out := make([]porcupine.Operation, 0, len(ops))
	for _, op := range ops {
		in := op.Input.(checker.Input)
		if !in.Unknown {
			out = append(out, op)
			continue
		}
		if in.Kind != history.Append {
			op.Return = math.MaxInt64
			out = append(out, op)
			continue
		}
		ret := int64(math.MaxInt64)
		for _, g := range ops {
			gin := g.Input.(checker.Input)
			if gin.Kind == history.Get && gin.Key == in.Key && strings.Contains(g.Output.(string), in.Value) {
				ret = min(ret, g.Return)
			}
		}
		if ret == math.MaxInt64 {
			continue
		}
		op.Return = ret
		out = append(out, op)
	}
	return out
}
