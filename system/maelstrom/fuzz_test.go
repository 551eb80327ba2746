package maelstrom

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// FuzzDecodeMessage feeds DecodeMessage hostile lines: it must never
// panic, must refuse with ErrMalformed, and what it accepts must survive
// a round trip.
func FuzzDecodeMessage(f *testing.F) {
	for _, s := range []string{
		`{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":1,"echo":"x"}}`,
		`{"src":"n0","dest":"c1","body":{"type":"error","in_reply_to":1,"code":11}}`,
		`{"src":"n0","dest":"n1","body":{"type":"x","msg_id":-9223372036854775808}}`,
		`{"src":"","dest":"n1","body":{"type":"x"}}`,
		`{"src":"a","dest":"b","body":{"type":"x","msg_id":1e400}}`,
		`{"src":"a","dest":"b","body":{"type":"x","msg_id":"1"}}`,
		`{"src":"a","dest":"b","body":{"type":"x"},"src":"c"}`,
		`{"src":"a","dest":"b","body":  {"type":"x"}}`,
		`[`, `null`, "{\"src\":\"\xff\",\"dest\":\"b\",\"body\":{\"type\":\"x\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		m, h, err := DecodeMessage(line)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if m.Src == "" || m.Dest == "" || h.Type == "" {
			t.Fatalf("accepted %+v %+v", m, h)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("accepted message does not encode: %v", err)
		}
		m2, h2, err := DecodeMessage(b)
		if err != nil || m2.Src != m.Src || m2.Dest != m.Dest || h2.Type != h.Type ||
			!samePtr(h.MsgID, h2.MsgID) || !samePtr(h.InReplyTo, h2.InReplyTo) {
			t.Fatalf("round trip of %s: %+v %+v, %v", b, m2, h2, err)
		}
	})
}

func samePtr(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// FuzzLineReader feeds LineReader hostile streams with a small bound:
// every line it returns fits the bound and holds no newline, every line
// of the input is returned or reported too long, and it ends.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("a\nb\r\n\n"), 4)
	f.Add([]byte("0123456789\nshort\nno newline at end"), 5)
	f.Add(bytes.Repeat([]byte("x"), 200), 16)
	f.Add([]byte("\r\r\n\n\x00\xff\n"), 1)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		max = 1 + abs(max)%64
		lr := NewLineReader(bytes.NewReader(in), max)
		want := bytes.Count(in, []byte{'\n'})
		if len(in) > 0 && in[len(in)-1] != '\n' {
			want++
		}
		got := 0
		for range len(in) + 2 {
			line, err := lr.Next()
			if errors.Is(err, io.EOF) {
				if got != want {
					t.Fatalf("%d lines and refusals, want %d", got, want)
				}
				return
			}
			got++
			if errors.Is(err, ErrLineTooLong) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(line) > max || bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("line %q over bound %d or holding a newline", line, max)
			}
		}
		t.Fatal("reader did not end")
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzPeekHeader checks the router's allocation-free peek against its
// naive twin, ParseHeader: where both read a body, they agree.
func FuzzPeekHeader(f *testing.F) {
	for _, s := range []string{
		`{"type":"echo","msg_id":1,"echo":"x"}`,
		` { "echo" : {"a":[1,"}",{"b":null}]}, "type" : "echo_ok" , "in_reply_to" : -7 } `,
		`{"type":"a","type":"b","msg_id":1,"msg_id":2}`,
		`{"Type":"x"}`, `{"type":"x","MSG_ID":3}`, `{"type":"x","msg_id":1.0}`,
		`{"type":"x","msg_id":9223372036854775807}`, `{"type":"x","msg_id":-9223372036854775808}`,
		`{"type":"x","msg_id":9223372036854775808}`, `{"type":"x","msg_id":01}`,
		`{"type":"\u0078"}`, `{"type":"x","s":"\"}"}`, `{}`, `{"type":""}`, `{"type":"x",}`,
		`{"type":"x","msg_id":null}`, `{"a":1 "type":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, ok := peekHeader(body)
		h, err := ParseHeader(body)
		if !ok || err != nil {
			_ = peekBody(body) // the fallback never panics either
			return
		}
		got := p.header(string(p.typ))
		if got.Type != h.Type || !samePtr(got.MsgID, h.MsgID) || !samePtr(got.InReplyTo, h.InReplyTo) {
			t.Fatalf("%s: peek %+v, ParseHeader %+v", body, got, h)
		}
	})
}
