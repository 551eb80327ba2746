package history

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// sampleStream is sampleOps and sampleEvents as Writer writes them.
func sampleStream() []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, op := range sampleOps() {
		_ = w.WriteOp(op)
	}
	for _, e := range sampleEvents() {
		_ = w.WriteEvent(e)
	}
	_ = w.Flush()
	return buf.Bytes()
}

// FuzzReader feeds arbitrary bytes to the Reader: it must never panic, and
// every record it accepts must survive a write and a second read unchanged.
func FuzzReader(f *testing.F) {
	f.Add(sampleStream())
	f.Add([]byte(`{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}`))
	f.Add([]byte(`{"kind":"get","type":"op","client":1,"key":"k","invoke":1,"complete":2,"outcome":"info"}` + "\n"))
	f.Add([]byte(`{"type":"event","kind":"kill","start":1,"stop":-1,"nodes":null}`))
	f.Add([]byte("\n\n{\"type\":\"op\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		r.SetMaxLine(1 << 16)
		var recs []Record
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var le *LineError
				if !errors.As(err, &le) || le.Line < 1 {
					t.Fatalf("error without a line number: %v", err)
				}
				break
			}
			recs = append(recs, rec)
		}
		var out bytes.Buffer
		w := NewWriter(&out)
		for _, rec := range recs {
			var err error
			switch rec.Type {
			case OpRecord:
				err = w.WriteOp(rec.Op)
			case EventRecord:
				err = w.WriteEvent(rec.Event)
			default:
				t.Fatalf("record of type %v", rec.Type)
			}
			if err != nil {
				t.Fatalf("re-writing accepted record %+v: %v", rec, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r2 := NewReader(&out)
		for i, want := range recs {
			got, err := r2.Read()
			if err != nil {
				t.Fatalf("re-reading record %d: %v", i, err)
			}
			if want.Type == EventRecord && len(want.Event.Nodes) == 0 {
				want.Event.Nodes, got.Event.Nodes = nil, nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("record %d changed:\n got %+v\nwant %+v", i, got, want)
			}
		}
		if _, err := r2.Read(); !errors.Is(err, io.EOF) {
			t.Fatalf("extra data after re-read: %v", err)
		}
	})
}

// FuzzSplitTokens: parsing never panics, and the tokens parsed print back to
// exactly the bytes they were parsed from.
func FuzzSplitTokens(f *testing.F) {
	f.Add("c1.s0;c2.s0;c1.s1;")
	f.Add("c12.s345;c0.s0;x")
	f.Add("c01.s1;")
	f.Add("c999999999999999999.s1;")
	f.Fuzz(func(t *testing.T, s string) {
		toks, err := SplitTokens(s)
		var b []byte
		for _, tok := range toks {
			b = tok.AppendTo(b)
		}
		if err == nil && string(b) != s {
			t.Fatalf("%q split into %v, which prints as %q", s, toks, b)
		}
		if err != nil && !bytes.HasPrefix([]byte(s), b) {
			t.Fatalf("%q: tokens before the error print as %q, not a prefix", s, b)
		}
	})
}

// FuzzDecodeOpFast checks the fast op decoder against its naive twin, the
// strict decoder: whatever line the fast path accepts, the strict one
// accepts too and decodes to the same op.
func FuzzDecodeOpFast(f *testing.F) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, op := range sampleOps() {
		_ = w.WriteOp(op)
	}
	_ = w.Flush()
	for _, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"type":"op","client":-0,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}`))
	f.Add([]byte(`{"type":"op","client":1,"kind":"get","key":"k","key":"j","invoke":1,"complete":2,"outcome":"ok"}`))
	f.Add([]byte(`{"type":"op","client":1,"kind":"get","key":"\u00e9","invoke":999999999999999999,"complete":1e3,"outcome":"ok"}`))
	var in interner // shared by all inputs, as a Reader shares it by all lines
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) == 0 {
			return
		}
		fast, ok := decodeOpFast(line, &in)
		if !ok {
			return
		}
		var w wireOp
		if err := strictUnmarshal(line, &w); err != nil {
			t.Fatalf("fast path accepts %q, the strict decoder does not: %v", line, err)
		}
		if w.Type != "op" || !reflect.DeepEqual(fast, w.Op) {
			t.Fatalf("%q: fast %+v, strict %+v (type %q)", line, fast, w.Op, w.Type)
		}
	})
}
