package maelstrom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/internal/labcluster"
)

const wait = 10 * time.Second

func TestRouterDeliversInOrder(t *testing.T) {
	for _, latency := range []time.Duration{0, 5 * time.Millisecond} {
		r := newTestRouter(t, RouterConfig{Latency: latency})
		a, b := newSink("n0"), newSink("n1")
		attach(t, r, a, b)
		const n = 500
		var bytes int64
		start := time.Now()
		for i := range n {
			m := msg("n0", "n1", "gossip", int64(i))
			bytes += int64(wireSize(&m))
			r.Send(m)
		}
		labcluster.WaitFor(t, wait, "all messages delivered", func() bool { return b.count() == n })
		for i, got := range b.arrivals() {
			if id := msgID(got.msg); id != int64(i) {
				t.Fatalf("latency %v: arrival %d has msg_id %d: order not kept", latency, i, id)
			}
			if d := got.at.Sub(start); d < latency {
				t.Fatalf("latency %v: message %d arrived after %v", latency, i, d)
			}
		}
		s := r.Stats()
		want := Traffic{Sent: n, Delivered: n, Bytes: bytes}
		if s.All != want || s.Servers != want || s.Clients != (Traffic{}) || s.ByType["gossip"] != want {
			t.Fatalf("latency %v: stats %+v, want all, servers and gossip %+v", latency, s, want)
		}
		if a.count() != 0 {
			t.Fatal("sender got messages")
		}
	}
}

func TestRouterAttach(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	attach(t, r, newSink("n0"))
	if err := r.Attach(newSink("n0")); !errors.Is(err, ErrDuplicateID) {
		t.Fatalf("second n0: err %v, want ErrDuplicateID", err)
	}
	if err := r.Attach(newSink("")); err == nil {
		t.Fatal("empty id attached")
	}
	r.Detach("n0")
	attach(t, r, newSink("n0"))
}

func TestRouterUnknownDest(t *testing.T) {
	var logs warnings
	r := newTestRouter(t, RouterConfig{Logger: slog.New(&logs)})
	c := NewClient("c1", r)
	attach(t, r, newSink("n0"), c)
	for range 3 {
		r.Send(msg("n0", "n9", "gossip", 1))
	}
	_, err := c.Call(context.Background(), "n7", "echo", nil)
	var rpc *RPCError
	if !errors.As(err, &rpc) || rpc.Code != CodeNodeNotFound || !rpc.Definite() || !strings.Contains(err.Error(), "n7") {
		t.Fatalf("call to unknown node: err %v, want a definite node-not-found naming n7", err)
	}
	labcluster.WaitFor(t, wait, "the reply counted", func() bool { return r.Stats().All.Delivered == 1 })
	s := r.Stats()
	// three gossips and the echo request were dropped; the error reply was delivered
	if s.All.Dropped.UnknownDest != 4 || s.All.Sent != 5 || s.All.Delivered != 1 || s.Clients.Dropped.UnknownDest != 1 {
		t.Fatalf("stats %+v", s)
	}
	if got := logs.String(); got != "n0->n9 c1->n7" {
		t.Fatalf("warnings %q, want one per (src, dest) naming the src: n0->n9 c1->n7", got)
	}
}

func TestRouterDetachInFlight(t *testing.T) {
	// The latency outlasts any stall between Send and Detach.
	r := newTestRouter(t, RouterConfig{Latency: time.Second})
	attach(t, r, newSink("n0"), newSink("n1"))
	r.Send(msg("n0", "n1", "gossip", 1))
	r.Detach("n1")
	labcluster.WaitFor(t, wait, "drop counted", func() bool { return r.Stats().All.Dropped.UnknownDest == 1 })
}

func TestRouterSlowEndpoint(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	slow := newSink("n1")
	slow.limit = 3
	attach(t, r, newSink("n0"), slow)
	for i := range 10 {
		r.Send(msg("n0", "n1", "gossip", int64(i)))
	}
	labcluster.WaitFor(t, wait, "10 outcomes", func() bool {
		s := r.Stats().All
		return s.Delivered+s.Dropped.Total() == 10
	})
	if s := r.Stats().All; s.Delivered != 3 || s.Dropped.SlowEndpoint != 7 {
		t.Fatalf("stats %+v, want 3 delivered and 7 slow-endpoint drops", s)
	}
}

func TestRouterSendFromDeliver(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	c := NewClient("c1", r)
	attach(t, r, &echo{id: "n0", out: r}, c)
	body, err := c.Call(context.Background(), "n0", "echo", []byte(`{"echo":"hi"}`))
	if err != nil || !bytes.Contains(body, []byte(`"echo":"hi"`)) || !bytes.Contains(body, []byte(`"echo_ok"`)) {
		t.Fatalf("echo: %s, %v", body, err)
	}
	// The router counts a delivery once Deliver has returned.
	labcluster.WaitFor(t, wait, "the reply counted", func() bool { return r.Stats().All.Delivered == 2 })
	s := r.Stats()
	if s.Clients.Sent != 2 || s.Clients.Delivered != 2 || s.Servers.Sent != 0 || s.ByType["echo"].Sent != 1 || s.ByType["echo_ok"].Delivered != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestRouterClose(t *testing.T) {
	r := NewRouter(RouterConfig{Latency: time.Hour})
	b := newSink("n1")
	attach(t, r, b)
	r.Send(msg("n0", "n1", "gossip", 1))
	r.Close()
	r.Close()
	r.Send(msg("n0", "n1", "gossip", 2))
	if s := r.Stats().All; s.Sent != 1 || b.count() != 0 {
		t.Fatalf("after close: %+v, %d delivered", s, b.count())
	}
}

func TestIsClient(t *testing.T) {
	for id, want := range map[string]bool{"c0": true, "c1": true, "c12": true, "c": false, "cx": false, "n1": false, "lin-kv": false, "c1a": false} {
		if isClient(id) != want {
			t.Errorf("isClient(%q) = %v", id, !want)
		}
	}
	if classify("n0", "lin-kv") != serverTraffic || classify("c3", "n0") != clientTraffic || classify("n0", "c3") != clientTraffic {
		t.Error("classify")
	}
}

// warnings is a slog.Handler that keeps "src->dest" of each record.
type warnings struct {
	mu    sync.Mutex
	pairs []string
}

func (w *warnings) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *warnings) WithGroup(string) slog.Handler            { return w }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	at := map[string]string{}
	r.Attrs(func(a slog.Attr) bool { at[a.Key] = a.Value.String(); return true })
	w.mu.Lock()
	w.pairs = append(w.pairs, at["src"]+"->"+at["dest"])
	w.mu.Unlock()
	return nil
}

func (w *warnings) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.pairs, " ")
}

func TestRouterBoundsTypes(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	attach(t, r, newSink("n1"))
	for i := range maxTypes + 10 {
		r.Send(msg("n0", "n1", "t"+strconv.Itoa(i), 1))
	}
	r.Send(Message{Src: "n0", Dest: "n1", Body: json.RawMessage(`{"no":"type"}`)})
	s := r.Stats()
	if len(s.ByType) != maxTypes+1 || s.ByType[OtherTypes].Sent != 11 || len(r.types) != maxTypes {
		t.Fatalf("%d types, %d other, %d interned", len(s.ByType), s.ByType[OtherTypes].Sent, len(r.types))
	}
}

func TestRouterBoundsInFlightPerSender(t *testing.T) {
	// Messages held an hour stay in flight: the flooding sender n0 gets
	// its bound, no more; n2 is not hurt by it.
	r := newTestRouter(t, RouterConfig{Latency: time.Hour, MaxInFlight: 10})
	attach(t, r, newSink("n1"))
	for i := range 15 {
		r.Send(msg("n0", "n1", "flood", int64(i)))
	}
	for i := range 3 {
		r.Send(msg("n2", "n1", "gossip", int64(i)))
	}
	s := r.Stats()
	if s.All.Dropped.Overload != 5 || s.ByType["flood"].Dropped.Overload != 5 || s.ByType["gossip"].Dropped.Total() != 0 {
		t.Fatalf("stats %+v, want 5 overload drops, all of n0's", s)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.flying["n0"] != 10 || r.flying["n2"] != 3 {
		t.Fatalf("in flight %v", r.flying)
	}
}

func TestRouterInFlightReleasedOnDelivery(t *testing.T) {
	r := newTestRouter(t, RouterConfig{MaxInFlight: 2})
	b := newSink("n1")
	attach(t, r, b)
	for i := range 20 {
		// Each message waits for the one before, so two are never in
		// flight at once and none is dropped.
		r.Send(msg("n0", "n1", "gossip", int64(i)))
		labcluster.WaitFor(t, wait, "delivery", func() bool { return r.Stats().All.Delivered == int64(i+1) })
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stats.snapshot().All.Dropped.Overload != 0 || len(r.flying) != 0 {
		t.Fatalf("overload drops %d, in flight %v", r.stats.snapshot().All.Dropped.Overload, r.flying)
	}
}
