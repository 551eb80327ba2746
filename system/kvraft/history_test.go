package kvraft

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// kvInput is one operation in a recorded history.
type kvInput struct {
	op    OpKind
	key   string
	value string
}

// kvOutput is the observed result of an operation; unknown marks a write
// whose outcome the client could not learn.
type kvOutput struct {
	value   string
	unknown bool
}

// kvModel is a porcupine model of a single-key register with Append,
// partitioned by key.
var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(kvInput).key
			byKey[k] = append(byKey[k], op)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in, out, st := input.(kvInput), output.(kvOutput), state.(string)
		switch in.op {
		case OpGet:
			return out.unknown || out.value == st, st
		case OpPut:
			return true, in.value
		default:
			return true, st + in.value
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(kvInput), output.(kvOutput)
		switch in.op {
		case OpGet:
			return fmt.Sprintf("get(%q) -> %q", in.key, out.value)
		case OpPut:
			return fmt.Sprintf("put(%q, %q)", in.key, in.value)
		default:
			return fmt.Sprintf("append(%q, %q)", in.key, in.value)
		}
	},
}

// recorder collects a history of operations from many clients.
type recorder struct {
	start time.Time
	mu    sync.Mutex
	ops   []porcupine.Operation
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

func (r *recorder) now() int64 { return int64(time.Since(r.start)) }

// add records one finished operation. An unknown outcome gets its return
// time set at check time, after every other event.
func (r *recorder) add(client int, in kvInput, out kvOutput, call, ret int64) {
	if out.unknown && in.op == OpGet {
		return // a read that did not finish constrains nothing
	}
	r.mu.Lock()
	r.ops = append(r.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	r.mu.Unlock()
}

// check runs porcupine over the history. An illegal history fails the test
// and writes a visualization whose path is printed.
func (r *recorder) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	ops := append([]porcupine.Operation(nil), r.ops...)
	r.mu.Unlock()
	ops = boundUnknown(ops)
	res, info := porcupine.CheckOperationsVerbose(kvModel, ops, 30*time.Second)
	switch res {
	case porcupine.Illegal:
		f, err := os.CreateTemp("", "kvraft-history-*.html")
		if err != nil {
			t.Fatalf("history of %d ops is not linearizable (and no temp file: %v)", len(ops), err)
		}
		if err := porcupine.Visualize(kvModel, info, f); err != nil {
			t.Logf("visualize: %v", err)
		}
		f.Close()
		t.Fatalf("history of %d ops is not linearizable; visualization: %s", len(ops), f.Name())
	case porcupine.Unknown:
		t.Logf("linearizability check of %d ops timed out; history not judged", len(ops))
	}
}

// boundUnknown gives each append of unknown outcome the tightest return
// time the history proves. Append values are unique in these tests, so an
// append that some Get observed took effect before that Get returned: its
// return becomes the earliest such Get's. An append that no Get observed
// (the final reads included) is dropped: a write still pending forever is
// indistinguishable from one never made. Without these bounds an unknown
// append is concurrent with everything after it, and the search explodes.
func boundUnknown(ops []porcupine.Operation) []porcupine.Operation {
	out := make([]porcupine.Operation, 0, len(ops))
	for _, op := range ops {
		in := op.Input.(kvInput)
		if !op.Output.(kvOutput).unknown {
			out = append(out, op)
			continue
		}
		if in.op != OpAppend {
			// A Put of unknown outcome stays pending until after
			// everything else.
			op.Return = math.MaxInt64
			out = append(out, op)
			continue
		}
		ret := int64(math.MaxInt64)
		for _, g := range ops {
			gin := g.Input.(kvInput)
			if gin.op == OpGet && gin.key == in.key && strings.Contains(g.Output.(kvOutput).value, in.value) {
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

// appendToken is the value client cli appends as its j-th append.
func appendToken(cli, j int) string { return fmt.Sprintf("x %d %d y", cli, j) }

// appendLog remembers, per client, the appends it issued to each key and
// whether each was acknowledged.
type appendLog struct {
	mu   sync.Mutex
	acks map[string]map[int][]appendRec // key -> client -> appends in order
}

type appendRec struct {
	j     int
	acked bool
}

func newAppendLog() *appendLog { return &appendLog{acks: map[string]map[int][]appendRec{}} }

func (a *appendLog) add(key string, cli, j int, acked bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.acks[key]
	if m == nil {
		m = map[int][]appendRec{}
		a.acks[key] = m
	}
	m[cli] = append(m[cli], appendRec{j: j, acked: acked})
}

// reset forgets the appends to key (after a Put replaced its value).
func (a *appendLog) reset(key string) {
	a.mu.Lock()
	delete(a.acks, key)
	a.mu.Unlock()
}

// check verifies key's final value v: every acknowledged append appears
// exactly once, an unacknowledged one at most once, and each client's
// appends appear in the order it issued them.
func (a *appendLog) check(t *testing.T, key, v string) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for cli, recs := range a.acks[key] {
		lastAt := -1
		for _, rec := range recs {
			tok := appendToken(cli, rec.j)
			n := strings.Count(v, tok)
			if n > 1 || (rec.acked && n == 0) {
				t.Fatalf("key %q: append %q (acked=%v) appears %d times in %q", key, tok, rec.acked, n, v)
			}
			if n == 0 {
				continue
			}
			at := strings.Index(v, tok)
			if at < lastAt {
				t.Fatalf("key %q: client %d's append %q is out of order in %q", key, cli, tok, v)
			}
			lastAt = at
		}
	}
}

// keys returns the keys appended to.
func (a *appendLog) keys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.acks))
	for k := range a.acks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
