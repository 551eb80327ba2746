package history

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestReadKeyed: a stream read by key holds every op once, under its key
// in stream order with its stream position, the events in order, and
// flattens back to what ReadAll reads; Split of those ops agrees.
func TestReadKeyed(t *testing.T) {
	ops := sampleOps()
	for i := range 40 {
		ops = append(ops, Op{Client: i % 3, Kind: Put, Key: []string{"b", "a", "c"}[i%3], Value: "v", Invoke: int64(i), Complete: int64(i + 1), Outcome: OK})
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i, op := range ops {
		if err := w.WriteOp(op); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			for _, e := range sampleEvents() {
				if err := w.WriteEvent(e); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	wantOps, wantEvents, err := ReadAll(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ReadKeyed(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	checkKeyed(t, k, wantOps)
	if !reflect.DeepEqual(k.Events, wantEvents) {
		t.Fatalf("events %+v, want %+v", k.Events, wantEvents)
	}
	s, err := Split(wantOps, wantEvents)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, k) {
		t.Fatalf("Split %+v\nReadKeyed %+v", s, k)
	}
}

// checkKeyed checks k against the flat ops it was read from.
func checkKeyed(t *testing.T, k *Keyed, ops []Op) {
	t.Helper()
	if k.Ops != len(ops) {
		t.Fatalf("Ops = %d, want %d", k.Ops, len(ops))
	}
	if !slices.IsSortedFunc(k.Parts, func(a, b Part) int { return strings.Compare(a.Key, b.Key) }) {
		t.Fatal("parts not sorted by key")
	}
	for _, p := range k.Parts {
		if len(p.Ops) != len(p.At) || len(p.Ops) == 0 || !slices.IsSorted(p.At) {
			t.Fatalf("part %q: %d ops, positions %v", p.Key, len(p.Ops), p.At)
		}
		for i, op := range p.Ops {
			if op.Key != p.Key {
				t.Fatalf("part %q holds an op of key %q", p.Key, op.Key)
			}
			if !reflect.DeepEqual(op, ops[p.At[i]]) {
				t.Fatalf("part %q op %d = %+v, want op %d %+v", p.Key, i, op, p.At[i], ops[p.At[i]])
			}
		}
	}
	if flat := k.Flat(); !reflect.DeepEqual(flat, ops) && len(ops) > 0 {
		t.Fatalf("Flat() differs from the stream's ops")
	}
}

// TestReadKeyedErrors: a bad line fails the read with its line number, as
// ReadAll does.
func TestReadKeyedErrors(t *testing.T) {
	in := `{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}` + "\n" + `{"type":"op","client":1}` + "\n"
	_, err := ReadKeyed(strings.NewReader(in))
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("error %v, want one on line 2", err)
	}
	if _, err := ReadKeyedFile(t.TempDir() + "/missing.jsonl"); err == nil {
		t.Fatal("missing file read")
	}
}

// FuzzReadKeyed: on any input, ReadKeyed accepts exactly what ReadAll
// accepts, and holds the same ops and events.
func FuzzReadKeyed(f *testing.F) {
	f.Add(sampleStream())
	f.Add([]byte(`{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}`))
	f.Add([]byte("\n\n{\"type\":\"op\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, events, err := ReadAll(bytes.NewReader(data))
		k, kerr := ReadKeyed(bytes.NewReader(data))
		if (err == nil) != (kerr == nil) {
			t.Fatalf("ReadAll error %v, ReadKeyed error %v", err, kerr)
		}
		if err != nil {
			return
		}
		checkKeyed(t, k, ops)
		if len(events) != len(k.Events) || len(events) > 0 && !reflect.DeepEqual(events, k.Events) {
			t.Fatalf("events %+v, want %+v", k.Events, events)
		}
	})
}
