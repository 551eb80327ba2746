package node

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"faultline/system/maelstrom"
)

// harness runs a Node in process on pipes and decodes what it writes.
type harness struct {
	t    *testing.T
	in   *io.PipeWriter
	out  *maelstrom.LineReader
	done chan error
}

func run(t *testing.T, n *Node) *harness {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	h := &harness{t: t, in: inW, out: maelstrom.NewLineReader(outR, 0), done: make(chan error, 1)}
	go func() {
		h.done <- n.Run(inR, outW)
		outW.Close()
	}()
	t.Cleanup(func() {
		inW.Close()
		go io.Copy(io.Discard, outR) // let late writes finish
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after its input ended")
		}
	})
	return h
}

func (h *harness) write(line string) {
	h.t.Helper()
	if _, err := io.WriteString(h.in, line+"\n"); err != nil {
		h.t.Fatal(err)
	}
}

// next returns the next message the node wrote, within a deadline.
func (h *harness) next() (maelstrom.Message, map[string]any) {
	h.t.Helper()
	type res struct {
		m   maelstrom.Message
		err error
	}
	ch := make(chan res, 1)
	go func() {
		line, err := h.out.Next()
		if err != nil {
			ch <- res{err: err}
			return
		}
		m, _, err := maelstrom.DecodeMessage(line)
		ch <- res{m, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			h.t.Fatalf("node output: %v", r.err)
		}
		var b map[string]any
		if err := json.Unmarshal(r.m.Body, &b); err != nil {
			h.t.Fatal(err)
		}
		return r.m, b
	case <-time.After(10 * time.Second):
		h.t.Fatal("no message from the node within 10s")
	}
	panic("unreachable")
}

func TestNodeSkipsBadInputAndAnswers(t *testing.T) {
	n := New()
	n.Handle("boom", func(context.Context, Msg) (any, error) { return nil, errors.New("kaput") })
	n.Handle("refuse", func(context.Context, Msg) (any, error) {
		return nil, &maelstrom.RPCError{Code: maelstrom.CodePreconditionFailed, Text: "no"}
	})
	n.Handle("typed", Decoded(func(_ context.Context, _ Msg, b struct{ N int }) (any, error) {
		return map[string]any{"type": "typed_ok", "n": b.N + 1}, nil
	}))
	h := run(t, n)
	h.write(`not json`)
	h.write(`{"src":"c0","dest":"n0","body":"not an object"}`)
	h.write(`{"src":"c1","dest":"n0","body":{"type":"read_ok","in_reply_to":99}}`) // a reply nobody waits for
	h.write(`{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}}`)
	m, b := h.next()
	if m.Src != "n0" || m.Dest != "c0" || b["type"] != "init_ok" || b["in_reply_to"] != 1.0 {
		t.Fatalf("init answered %v %v", m, b)
	}
	for _, c := range []struct {
		typ  string
		code float64
	}{{"boom", 13}, {"refuse", 22}, {"nope", 10}} {
		h.write(`{"src":"c1","dest":"n0","body":{"type":"` + c.typ + `","msg_id":5}}`)
		_, b := h.next()
		if b["type"] != "error" || b["code"] != c.code || b["in_reply_to"] != 5.0 {
			t.Errorf("%s answered %v, want error code %v", c.typ, b, c.code)
		}
	}
	h.write(`{"src":"c1","dest":"n0","body":{"type":"typed","msg_id":6,"n":"not a number"}}`)
	if _, b := h.next(); b["type"] != "error" || b["code"] != 12.0 {
		t.Errorf("a malformed typed request answered %v, want error code 12", b)
	}
	h.write(`{"src":"c1","dest":"n0","body":{"type":"typed","msg_id":7,"n":41}}`)
	if _, b := h.next(); b["type"] != "typed_ok" || b["n"] != 42.0 || b["in_reply_to"] != 7.0 {
		t.Errorf("typed request answered %v, want typed_ok n 42", b)
	}
	if got := strings.Join(n.Peers(), ","); got != "n1" {
		t.Errorf("Peers = %q, want n1", got)
	}
}

func TestCallRepliesErrorsAndTimeouts(t *testing.T) {
	n := New()
	n.SetRPCTimeout(200 * time.Millisecond)
	results := make(chan error, 3)
	n.Handle("go", func(ctx context.Context, _ Msg) (any, error) {
		_, err := n.Call(ctx, "n1", map[string]any{"type": "ping"})
		results <- err
		return nil, nil // no reply: the test reads only the ping
	})
	h := run(t, n)
	h.write(`{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}}`)
	h.next()
	answer := func(reply string) {
		h.write(`{"src":"c1","dest":"n0","body":{"type":"go","msg_id":2}}`) // a request: one-way handlers must not block
		m, b := h.next()
		if m.Dest != "n1" || b["type"] != "ping" {
			t.Fatalf("node sent %v %v, want a ping to n1", m, b)
		}
		if reply != "" {
			h.write(`{"src":"n1","dest":"n0","body":{` + reply + `,"in_reply_to":` + jsonNumber(b["msg_id"]) + `}}`)
		}
	}
	answer(`"type":"pong"`)
	if err := <-results; err != nil {
		t.Errorf("answered call: %v", err)
	}
	answer(`"type":"error","code":22,"text":"no"`)
	if err := <-results; !IsCode(err, maelstrom.CodePreconditionFailed) {
		t.Errorf("call answered with error 22 returned %v", err)
	}
	answer("")
	if err := <-results; !IsCode(err, maelstrom.CodeTimeout) {
		t.Errorf("unanswered call returned %v, want code 0", err)
	}
}

func jsonNumber(v any) string { b, _ := json.Marshal(v); return string(b) }
