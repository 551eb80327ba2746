package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"faultline/system/backend"
	"faultline/workloads/history"
)

// definite is a definite Maelstrom error with code.
func definite(code int) error { return fmt.Errorf("%w: error %d", backend.ErrDefinite, code) }

func TestRecordOutcomes(t *testing.T) {
	req := Request{F: "broadcast", Args: []byte(`{"message":1}`)}
	for _, tc := range []struct {
		err  error
		want history.Outcome
	}{
		{nil, history.OK},
		{definite(11), history.Fail},
		{errors.New("timed out"), history.Info},
		{context.Canceled, history.Info},
	} {
		op := req.Record([]byte(`{"type":"broadcast_ok"}`), tc.err)
		if op.Outcome != tc.want || op.Kind != history.Call || op.Key != "broadcast" || op.Value != `{"message":1}` {
			t.Fatalf("%v: %+v", tc.err, op)
		}
		if (tc.err == nil) != (op.Output != "" && op.Error == "") {
			t.Fatalf("%v: output %q error %q", tc.err, op.Output, op.Error)
		}
	}
}

func TestRecordLinKVRead(t *testing.T) {
	for reply, want := range map[string]string{
		`{"value":1}`: "1", `{"value":1.0}`: "1", `{"value":"a"}`: `"a"`, `{"value":null}`: "",
		`{"value":[1, 2]}`: "[1,2]", `{"value":{"b":1,"a":2}}`: `{"a":2,"b":1}`, `{"value":1e400}`: "1e400", `{"value":-0.0}`: "0", `{"value":"\u003c"}`: `"\u003c"`,
	} {
		op := read1.Record([]byte(reply), nil)
		if op.Outcome != history.OK || op.Output != want || op.Kind != history.Read || op.Key != "1" {
			t.Errorf("%s: %+v, want output %q", reply, op, want)
		}
	}
	for _, reply := range []string{``, `[]`, `{"val":1}`, `{"value":`} {
		if op := read1.Record([]byte(reply), nil); op.Outcome != history.Info || op.Error[:len(malformed)] != malformed {
			t.Errorf("%q: %+v", reply, op)
		}
	}
}

// fakeInvoker answers from a function and logs the calls.
type fakeInvoker struct {
	answer func(node, f string, args []byte) ([]byte, error)
	calls  []string
}

func (f *fakeInvoker) Invoke(_ context.Context, node, fn string, args []byte) ([]byte, error) {
	f.calls = append(f.calls, node+" "+fn+" "+string(args))
	return f.answer(node, fn, args)
}

func TestRecorder(t *testing.T) {
	var now int64
	var got []history.Op
	inv := &fakeInvoker{answer: func(node, f string, args []byte) ([]byte, error) {
		now += 10
		if node == "n9" {
			return nil, definite(1)
		}
		return []byte(`{"type":"` + f + `_ok"}`), nil
	}}
	rec := &Recorder{Invoker: inv, Client: 4, Own: "n2", Now: func() int64 { now++; return now }, Sink: func(op history.Op) { got = append(got, op) }}
	if _, err := rec.Do(context.Background(), "", Request{F: "write", Op: history.Op{Kind: history.Write, Key: "1", Value: "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Invoke(context.Background(), "n9", "read", nil); !errors.Is(err, backend.ErrDefinite) {
		t.Fatal(err)
	}
	want := []history.Op{
		{Client: 4, Node: "n2", Kind: history.Write, Key: "1", Value: "2", Invoke: 1, Complete: 12, Outcome: history.OK},
		{Client: 4, Node: "n9", Kind: history.Call, Key: "read", Invoke: 13, Complete: 24, Outcome: history.Fail, Error: definite(1).Error()},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || got[1].Error != want[1].Error {
		t.Fatalf("recorded\n%+v\nwant\n%+v", got, want)
	}
	for _, op := range got {
		if err := op.Validate(); err != nil {
			t.Fatal(err)
		}
	}
}
