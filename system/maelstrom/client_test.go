package maelstrom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"faultline/internal/labcluster"
)

func TestClientCall(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	c := NewClient("c1", r)
	attach(t, r, c, &echo{id: "n0", out: r})
	body, err := c.Call(t.Context(), "n0", "echo", []byte(` {"echo": {"x": [1, 2]}} `))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Type      string
		InReplyTo int64 `json:"in_reply_to"`
		Echo      map[string][]int
	}
	if err := json.Unmarshal(body, &got); err != nil || got.Type != "echo_ok" || got.InReplyTo != 1 || len(got.Echo["x"]) != 2 {
		t.Fatalf("reply %s (%v)", body, err)
	}
	if _, err := c.Call(t.Context(), "n0", "echo", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
}

func TestClientRefusesBadFields(t *testing.T) {
	c := NewClient("c1", recorder(func(Message) { t.Error("a bad request was sent") }))
	for _, f := range []string{`[1]`, `3`, `{"type":"x"}`, `{"msg_id":3}`, `{"in_reply_to":1}`, `{"a":`, `null`} {
		if _, err := c.Call(t.Context(), "n0", "echo", []byte(f)); !errors.Is(err, ErrMalformed) {
			t.Errorf("fields %s: err %v, want ErrMalformed", f, err)
		}
	}
	if _, err := c.Call(t.Context(), "n0", "", nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty type: err %v", err)
	}
}

// recorder is a Sender that calls a function.
type recorder func(Message)

func (f recorder) Send(m Message) { f(m) }

// replier is a test node that answers every request with a fixed body.
type replier struct {
	id, body string
	out      Sender
}

func (p *replier) ID() string { return p.id }

func (p *replier) Deliver(m Message) bool {
	b := replyBody(json.RawMessage(p.body), ptr(msgID(m)))
	p.out.Send(Message{Src: p.id, Dest: m.Src, Body: b})
	return true
}

func ptr[T any](v T) *T { return &v }

func TestClientErrorReplies(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	c := NewClient("c1", r)
	attach(t, r, c,
		&replier{id: "n0", body: `{"type":"error","code":11,"text":"no leader"}`, out: r},
		&replier{id: "n1", body: `{"type":"error","code":13}`, out: r},
		&replier{id: "n2", body: `{"type":"error","code":"x"}`, out: r})
	for _, tc := range []struct {
		node     string
		code     Code
		definite bool
	}{{"n0", CodeTemporarilyUnavailable, true}, {"n1", CodeCrash, false}} {
		_, err := c.Call(t.Context(), tc.node, "read", nil)
		var rpc *RPCError
		if !errors.As(err, &rpc) || rpc.Code != tc.code || rpc.Definite() != tc.definite {
			t.Errorf("%s: err %v, want code %d definite %v", tc.node, err, tc.code, tc.definite)
		}
	}
	if _, err := c.Call(t.Context(), "n2", "read", nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("undecodable error reply: err %v", err)
	}
}

func TestClientTimeoutAndLateReply(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	c := NewClient("c1", r)
	silent := newSink("n0")
	attach(t, r, c, silent)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Call(ctx, "n0", "read", nil)
	var rpc *RPCError
	if !errors.As(err, &rpc) || rpc.Code != CodeTimeout || rpc.Definite() || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want an indefinite timeout wrapping the deadline", err)
	}
	labcluster.WaitFor(t, wait, "the request delivered", func() bool { return silent.count() == 1 })
	req := silent.arrivals()[0].msg
	r.Send(Message{Src: "n0", Dest: "c1", Body: replyBody(json.RawMessage(`{"type":"read_ok"}`), ptr(msgID(req)))})
	labcluster.WaitFor(t, wait, "late reply discarded", func() bool { return c.Discarded() == 1 })
	r.Send(Message{Src: "n0", Dest: "c1", Body: json.RawMessage(`{"type":"gossip"}`)})
	labcluster.WaitFor(t, wait, "stray discarded", func() bool { return c.Discarded() == 2 })
}

func TestClientConcurrentCalls(t *testing.T) {
	r := newTestRouter(t, RouterConfig{Latency: time.Millisecond})
	c := NewClient("c1", r)
	attach(t, r, c, &echo{id: "n0", out: r}, &echo{id: "n1", out: r})
	const workers, calls = 20, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				want := fmt.Sprintf("%d-%d", w, i)
				body, err := c.Call(t.Context(), fmt.Sprintf("n%d", i%2), "echo", []byte(`{"echo":"`+want+`"}`))
				var got struct{ Echo string }
				if err == nil {
					err = json.Unmarshal(body, &got)
				}
				if err == nil && got.Echo != want {
					err = fmt.Errorf("call %s got the reply for %s", want, got.Echo)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c.Discarded() != 0 {
		t.Errorf("%d replies discarded", c.Discarded())
	}
}
