package maelstrom

import (
	"context"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// FuzzCanonical: canonical never panics, and its fast path for integers
// agrees with the decoder.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"0", "-0", "12", "01", "1.0", "1e3", `"a"`, `{"b":1,"a":[1.50,2]}`, "-", "", "99999999999999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := canonical(raw)
		if plainInt(raw) && decodeCanonical(raw) != got {
			t.Fatalf("canonical(%q) = %q, decoder says %q", raw, got, decodeCanonical(raw))
		}
		if again := canonical([]byte(got)); again != got {
			t.Fatalf("canonical(%q) = %q, but canonical(%q) = %q", raw, got, got, again)
		}
	})
}

// FuzzRecorded feeds hostile recorded Values and Outputs (what a node
// replied, or a corrupt history file) to every decoder and every
// workload's check: none may panic, and a check's verdict is always a
// defined one.
func FuzzRecorded(f *testing.F) {
	for _, s := range [][2]string{
		{`{"message":1}`, `{"type":"read_ok","messages":[1,2]}`},
		{`{"delta":-3}`, `{"type":"read_ok","value":7}`},
		{`{"key":"1","msg":3}`, `{"type":"send_ok","offset":4}`},
		{`{"offsets":{"1":0}}`, `{"type":"poll_ok","msgs":{"1":[[0,3],[1,"x"]]}}`},
		{`{"keys":["1"]}`, `{"offsets":{"1":99999999999999999}}`},
		{`{"echo":"x"}`, `{"echo":{"a":[]}}`},
		{`{"txn":[["r",1,null]]}`, `{"txn":[["r",1,[1,2]]]}`},
		{`{"delta":1e400}`, `{"value":-9223372036854775808}`},
		{`{"msgs":{"a":[[1]]}}`, `{"value":[[[[[[[[[[]]]]]]]]]]}`},
		{"", "\xff"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, value, output string) {
		_, _ = decodeMsgs(output)
		_, _ = decodeOffsets(output)
		_, _, _ = decodeSend(value)
		_, _ = decodeSendOK(output)
		_ = read1.Record([]byte(output), nil)
		for _, name := range Names() {
			w, err := New(name, Options{Clients: 2})
			if err != nil {
				t.Fatal(err)
			}
			h := &hist{}
			for _, typ := range []string{"echo", "generate", "broadcast", "add", "read", "send", "poll", "commit_offsets", "list_committed_offsets", "txn"} {
				h.ok(1, "n0", typ, value, output, 1, 2)
				h.call(2, "n1", typ, value, "", 3, 4, history.Info)
				h.ok(2, "n1", typ, output, value, 5, 6)
			}
			h.final(7)
			h.ok(0, "n0", "read", "", output, 8, 9)
			h.ok(0, "n0", "poll", value, output, 10, 11)
			if name == "lin-kv" {
				h = &hist{}
				linOp(h, 1, read1, output, nil, 1, 2)
				linOp(h, 2, write1(canonical([]byte(value))), "", nil, 3, 4)
			}
			res := w.Check(context.Background(), h.run())
			if res.Verdict != checker.Valid && res.Verdict != checker.Invalid && res.Verdict != checker.Unknown {
				t.Fatalf("%s: verdict %v", name, res.Verdict)
			}
			_ = res.Summary()
		}
	})
}
