package history

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func sampleOps() []Op {
	return []Op{
		{Client: 0, Kind: Append, Key: "k1", Value: "c0.s0;", Invoke: 10, Complete: 20, Outcome: OK, Node: "n1"},
		{Client: 1, Kind: Get, Key: "k1", Output: "c0.s0;", Invoke: 15, Complete: 30, Outcome: OK, Node: "n2"},
		{Client: 2, Kind: Put, Key: "k\"2\n<&>", Value: "ünïcode", Invoke: 16, Complete: 16, Outcome: Fail, Error: "wrong leader"},
		{Client: 3, Kind: CAS, Key: "", Expect: "1", Value: "2", Invoke: 40, Complete: 90, Outcome: Info, Error: "timeout"},
		{Client: 4, Kind: Read, Output: "", Invoke: 41, Complete: 42, Outcome: OK},
		{Client: 5, Kind: Write, Value: "3", Invoke: 43, Complete: 44, Outcome: OK},
	}
}

func sampleEvents() []Event {
	return []Event{
		{Kind: "partition", Start: 12, Stop: 50, Nodes: []string{"n1", "n2"}, Desc: "split {n1} from {n2 n3}"},
		{Kind: "kill", Start: 60, Stop: Open, Nodes: []string{"n3"}},
		{Kind: "leader", Start: 70, Stop: 70},
	}
}

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	ops, events := sampleOps(), sampleEvents()
	for i := range ops {
		if err := w.WriteOp(ops[i]); err != nil {
			t.Fatal(err)
		}
		if i < len(events) {
			if err := w.WriteEvent(events[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Count(), len(ops)+len(events); got != want {
		t.Fatalf("Count = %d, want %d", got, want)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(ops)+len(events) {
		t.Fatalf("%d lines, want %d:\n%s", n, len(ops)+len(events), buf.String())
	}
	gotOps, gotEvents, err := ReadAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotOps, ops) {
		t.Errorf("ops:\n got %v\nwant %v", gotOps, ops)
	}
	if !reflect.DeepEqual(gotEvents, events) {
		t.Errorf("events:\n got %+v\nwant %+v", gotEvents, events)
	}
}

func TestFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	if err := WriteFile(path, sampleOps(), sampleEvents()); err != nil {
		t.Fatal(err)
	}
	ops, events, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ops, sampleOps()) || !reflect.DeepEqual(events, sampleEvents()) {
		t.Fatalf("file round trip changed the history")
	}
	if _, _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("ReadFile of a missing file succeeded")
	}
}

func TestWireFormat(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteOp(Op{Client: 3, Kind: Append, Key: "k1", Value: "c3.s17;", Invoke: 1200, Complete: 5100, Outcome: OK, Node: "n2"}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvent(Event{Kind: "partition", Start: 4000, Stop: 9000, Nodes: []string{"n1"}, Desc: "isolate n1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"op","client":3,"kind":"append","key":"k1","value":"c3.s17;","invoke":1200,"complete":5100,"outcome":"ok","node":"n2"}
{"type":"event","kind":"partition","start":4000,"stop":9000,"nodes":["n1"],"desc":"isolate n1"}
`
	if buf.String() != want {
		t.Fatalf("wire format:\n got %s\nwant %s", buf.String(), want)
	}
}

func TestConcurrentWriter(t *testing.T) {
	const clients, each = 16, 200
	var buf bytes.Buffer
	w := NewWriter(&buf)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range each {
				op := Op{Client: c, Kind: Append, Key: "k", Value: Token{c, s}.String(), Invoke: int64(s), Complete: int64(s + 1), Outcome: OK}
				if err := w.WriteOp(op); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	ops, _, err := ReadAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != clients*each {
		t.Fatalf("read %d ops, want %d", len(ops), clients*each)
	}
	next := make([]int, clients)
	for _, op := range ops {
		tok, _, err := ParseToken(op.Value)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Client != op.Client || tok.Seq != next[op.Client] {
			t.Fatalf("client %d: got seq %d, want %d (records interleaved or reordered)", op.Client, tok.Seq, next[op.Client])
		}
		next[op.Client]++
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("disk full")
}

func TestWriterErrors(t *testing.T) {
	w := NewWriter(&failingWriter{})
	if err := w.WriteOp(Op{Kind: Get, Outcome: OK, Invoke: 5, Complete: 4}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid op: err = %v, want ErrInvalid", err)
	}
	if err := w.WriteEvent(Event{Start: 1, Stop: 2}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("event without kind: err = %v, want ErrInvalid", err)
	}
	if err := w.WriteOp(sampleOps()[0]); err != nil {
		t.Fatalf("buffered write failed early: %v", err)
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush err = %v, want disk full", err)
	}
	if err := w.WriteOp(sampleOps()[0]); err == nil {
		t.Fatal("write after a failed flush succeeded; errors must be sticky")
	}
}

func TestReaderErrors(t *testing.T) {
	good := `{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}`
	for _, tc := range []struct {
		name, line, want string
	}{
		{"syntax", `{"type":"op",`, "unexpected EOF"},
		{"not an object", `[1,2]`, "cannot unmarshal"},
		{"no type", `{"client":1}`, `no "type" field`},
		{"unknown type", `{"type":"span"}`, `unknown record type "span"`},
		{"unknown field", `{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok","colour":"red"}`, `unknown field "colour"`},
		{"event field on op", `{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok","start":3}`, `unknown field "start"`},
		{"bad kind", `{"type":"op","client":1,"kind":"scan","key":"k","invoke":1,"complete":2,"outcome":"ok"}`, `unknown op kind "scan"`},
		{"bad outcome", `{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"maybe"}`, `unknown outcome "maybe"`},
		{"missing kind", `{"type":"op","client":1,"key":"k","invoke":1,"complete":2,"outcome":"ok"}`, "op kind 0"},
		{"missing outcome", `{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2}`, "op outcome 0"},
		{"time travel", `{"type":"op","client":1,"kind":"get","key":"k","invoke":5,"complete":2,"outcome":"ok"}`, "complete 2 before invoke 5"},
		{"float time", `{"type":"op","client":1,"kind":"get","key":"k","invoke":1.5,"complete":2,"outcome":"ok"}`, "cannot unmarshal number 1.5"},
		{"negative client", `{"type":"op","client":-1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}`, "client -1"},
		{"trailing", good + ` {}`, "trailing data"},
		{"conflicting type", `{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok","type":"event"}`, "conflicting"},
		{"event stop", `{"type":"event","kind":"kill","start":5,"stop":4}`, "stop 4 before start 5"},
		{"null", `null`, `no "type" field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good + "\n\n" + tc.line + "\n" + good + "\n"
			r := NewReader(strings.NewReader(in))
			if _, err := r.Read(); err != nil {
				t.Fatalf("first line: %v", err)
			}
			_, err := r.Read()
			var le *LineError
			if !errors.As(err, &le) || le.Line != 3 {
				t.Fatalf("err = %v, want a *LineError on line 3", err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "line 3") {
				t.Errorf("err = %q, want it to mention %q and line 3", err, tc.want)
			}
			if _, err2 := r.Read(); err2 != err {
				t.Errorf("error not sticky: then %v", err2)
			}
		})
	}
}

func TestReaderLongLines(t *testing.T) {
	long := strings.Repeat("c1.s1;", 50_000) // 300 kB, past the bufio buffer
	op := Op{Client: 1, Kind: Get, Key: "k", Output: long, Invoke: 1, Complete: 2, Outcome: OK}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for range 3 {
		if err := w.WriteOp(op); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	data := strings.TrimSuffix(buf.String(), "\n") // last line without newline
	ops, _, err := ReadAll(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 3 || ops[2].Output != long {
		t.Fatalf("read %d ops, last output intact = %v", len(ops), len(ops) == 3 && ops[2].Output == long)
	}

	r := NewReader(strings.NewReader(data))
	r.SetMaxLine(len(long))
	_, err = r.Read()
	if !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("err = %v, want ErrLineTooLong", err)
	}
}

func TestReaderEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "  \n\t\n", "\r\n"} {
		r := NewReader(strings.NewReader(in))
		if _, err := r.Read(); err != io.EOF {
			t.Errorf("Read(%q) err = %v, want io.EOF", in, err)
		}
	}
}

func TestEnums(t *testing.T) {
	for k := Get; k <= Call; k++ {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	for o := OK; o <= Info; o++ {
		got, err := ParseOutcome(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOutcome(%q) = %v, %v", o.String(), got, err)
		}
	}
	if Kind(0).Valid() || Kind(8).Valid() || Outcome(0).Valid() || Outcome(4).Valid() {
		t.Error("zero or out-of-range enum reported valid")
	}
	if got := Kind(9).String(); got != "Kind(9)" {
		t.Errorf("Kind(9).String() = %q", got)
	}
	if got := fmt.Sprint(OpRecord, EventRecord, RecordType(0)); got != "op event RecordType(0)" {
		t.Errorf("record types print as %q", got)
	}
	if !Get.Reads() || !Read.Reads() || Append.Reads() {
		t.Error("Reads wrong")
	}
	if _, err := Kind(0).MarshalText(); err == nil {
		t.Error("MarshalText of an invalid kind succeeded")
	}
}

func TestEventActive(t *testing.T) {
	e := Event{Kind: "pause", Start: 10, Stop: 20}
	for _, tc := range []struct {
		t    int64
		want bool
	}{{9, false}, {10, true}, {20, true}, {21, false}} {
		if got := e.Active(tc.t); got != tc.want {
			t.Errorf("Active(%d) = %v", tc.t, got)
		}
	}
	open := Event{Kind: "kill", Start: 10, Stop: Open}
	if !open.Active(1 << 60) {
		t.Error("open event not active later")
	}
}

func TestClock(t *testing.T) {
	c := NewClock()
	prev := c.Now()
	for range 1000 {
		now := c.Now()
		if now < prev {
			t.Fatalf("clock went backwards: %d after %d", now, prev)
		}
		prev = now
	}
	if c.Start().IsZero() {
		t.Fatal("Start is zero")
	}
}
