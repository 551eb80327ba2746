package reports

import (
	"bytes"
	"testing"
)

// FuzzReadHistory checks that the history decoder never panics and that
// every op it accepts has ordered, non-negative times and a known outcome.
func FuzzReadHistory(f *testing.F) {
	f.Add([]byte(`{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}` + "\n" +
		`{"type":"event","kind":"partition","start":1,"stop":-1,"nodes":["n1"]}` + "\n"))
	f.Add([]byte("\n\n{\"type\":\"op\",\"outcome\":\"info\",\"invoke\":5,\"complete\":5}"))
	f.Add([]byte(`{"type":"x"}`))
	f.Add([]byte(`{"type":"op","invoke":9,"complete":1,"outcome":"fail"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := readHistory(bytes.NewReader(b), func(o op) {
			if o.invoke < 0 || o.complete < o.invoke || o.outcome < outcomeOK || o.outcome > outcomeInfo {
				t.Fatalf("accepted op %+v", o)
			}
		}, func(Event) {})
		_ = err
	})
}

// FuzzReadHistoryTwin checks the parallel, batched reader against the
// one-line-at-a-time decoder: both accept the same histories and yield the
// same ops.
func FuzzReadHistoryTwin(f *testing.F) {
	f.Add([]byte(`{"type":"op","kind":"get","invoke":1,"complete":2,"outcome":"ok"}` + "\n" + `  ` + "\n" +
		`{"type":"op","kind":"put","invoke":1,"complete":2,"outcome":"info"} {"type":"op","invoke":0,"complete":0,"outcome":"ok"}` + "\n"))
	f.Add([]byte(`{"type":"op","kind":"get","invoke":3,"complete":4,"outcome":"fail"}` + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got []op
		err := readHistory(bytes.NewReader(b), func(o op) { got = append(got, o) }, func(Event) {})
		var want []op
		var wantErr error
		b2 := &historyBatch{}
		for _, l := range bytes.Split(b, []byte("\n")) {
			// bufio.ScanLines drops a carriage return before the newline.
			if l = bytes.TrimSuffix(l, []byte("\r")); len(l) > 0 {
				b2.lines = append(b2.lines, l)
				b2.nums = append(b2.nums, len(b2.nums)+1)
			}
		}
		b2.decodeLines()
		wantErr = b2.err
		want = b2.ops
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("batched reader error %v, line reader error %v", err, wantErr)
		}
		if err == nil && len(got) != len(want) {
			t.Fatalf("batched reader: %d ops, line reader %d", len(got), len(want))
		}
		for i := range got {
			if err == nil && got[i] != want[i] {
				t.Fatalf("op %d: %+v vs %+v", i, got[i], want[i])
			}
		}
	})
}
