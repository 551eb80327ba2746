package kvcheck

import (
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// Kind is the kind of a recorded operation.
type Kind uint8

// Operation kinds.
const (
	Get Kind = iota + 1
	Put
	Append
)

// Input is one operation of a history.
type Input struct {
	Kind  Kind
	Key   string
	Value string
}

// Output is what an operation observed. Unknown marks an operation whose
// outcome the client could not learn (it may or may not have happened).
type Output struct {
	Value   string
	Unknown bool
}

// Model is porcupine's model of a map of string registers with Append,
// partitioned by key.
var Model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(Input).Key
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(byKey))
		for _, k := range slices.Sorted(maps.Keys(byKey)) {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in, out, st := input.(Input), output.(Output), state.(string)
		switch in.Kind {
		case Get:
			return out.Unknown || out.Value == st, st
		case Put:
			return true, in.Value
		default:
			return true, st + in.Value
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(Input), output.(Output)
		switch in.Kind {
		case Get:
			return fmt.Sprintf("get(%q) -> %q", in.Key, out.Value)
		case Put:
			return fmt.Sprintf("put(%q, %q)", in.Key, in.Value)
		default:
			return fmt.Sprintf("append(%q, %q)", in.Key, in.Value)
		}
	},
}

// Recorder collects a history of operations from many clients. It is safe
// for concurrent use.
type Recorder struct {
	start time.Time
	mu    sync.Mutex
	ops   []porcupine.Operation
}

// NewRecorder returns an empty recorder whose clock starts now.
func NewRecorder() *Recorder { return &Recorder{start: time.Now()} }

// Now is the recorder's clock, for call and return times.
func (r *Recorder) Now() int64 { return int64(time.Since(r.start)) }

// Add records one finished operation. A Get with an unknown outcome
// constrains nothing and is dropped; other unknown operations get their
// return time at check time, after every other event.
func (r *Recorder) Add(client int, in Input, out Output, call, ret int64) {
	if out.Unknown && in.Kind == Get {
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

// Check runs porcupine over the history with the given time limit. An
// illegal history fails the test and writes porcupine's visualization to a
// temporary file whose path is printed; a check that runs out of time is
// logged as undecided, never as passing.
func (r *Recorder) Check(t testing.TB, limit time.Duration) porcupine.CheckResult {
	t.Helper()
	r.mu.Lock()
	ops := slices.Clone(r.ops)
	r.mu.Unlock()
	var last int64
	for _, op := range ops {
		last = max(last, op.Return, op.Call)
	}
	for i := range ops {
		if ops[i].Output.(Output).Unknown {
			ops[i].Return = min(last+1, math.MaxInt64)
		}
	}
	res, info := porcupine.CheckOperationsVerbose(Model, ops, limit)
	switch res {
	case porcupine.Illegal:
		f, err := os.CreateTemp("", "history-*.html")
		if err != nil {
			t.Fatalf("history of %d ops is not linearizable (and no temp file: %v)", len(ops), err)
		}
		if err := porcupine.Visualize(Model, info, f); err != nil {
			t.Logf("visualize: %v", err)
		}
		f.Close()
		t.Fatalf("history of %d ops is not linearizable; visualization: %s", len(ops), f.Name())
	case porcupine.Unknown:
		t.Logf("linearizability check of %d ops ran out of time: undecided", len(ops))
	}
	return res
}
