package maelstrom

import (
	"testing"
	"time"

	"faultline/internal/labcluster"
	"faultline/transport"
)

func TestJournalRecordsFates(t *testing.T) {
	r := newTestRouter(t, RouterConfig{JournalWindow: time.Hour})
	c := NewClient("c1", r)
	attach(t, r, c, &echo{id: "n0", out: r}, newSink("n1"))
	if err := r.SetLink("n0", "n1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(t.Context(), "n0", "echo", nil); err != nil {
		t.Fatal(err)
	}
	labcluster.WaitFor(t, wait, "the reply counted", func() bool { return r.Stats().All.Delivered == 2 })
	r.Send(msg("n0", "n1", "gossip", 9))
	r.Send(msg("n0", "n5", "gossip", 10))
	js := r.Journal()
	if len(js) != 4 {
		t.Fatalf("journal %+v, want 4 entries", js)
	}
	req, rep, blocked, unknown := js[0], js[1], js[2], js[3]
	if req.Src != "c1" || req.Dest != "n0" || req.Type != "echo" || req.MsgID == nil || *req.MsgID != 1 ||
		req.Delivered.Before(req.Sent) || req.Dropped != "" {
		t.Errorf("request entry %+v", req)
	}
	if rep.Src != "n0" || rep.Type != "echo_ok" || rep.InReplyTo == nil || *rep.InReplyTo != 1 ||
		rep.Sent.Before(req.Delivered) || rep.Delivered.IsZero() {
		t.Errorf("reply entry %+v", rep)
	}
	if blocked.Dropped != DropPartition || !blocked.Delivered.IsZero() || unknown.Dropped != DropUnknownDest {
		t.Errorf("dropped entries %+v %+v", blocked, unknown)
	}
}

func TestJournalBounds(t *testing.T) {
	t.Run("limit", func(t *testing.T) {
		r := newTestRouter(t, RouterConfig{JournalWindow: time.Hour, JournalLimit: 5})
		attach(t, r, newSink("n1"))
		for i := range 12 {
			r.Send(msg("n0", "n1", "gossip", int64(i)))
		}
		if js, s := r.Journal(), r.Stats(); len(js) != 5 || s.JournalOmitted != 7 || *js[4].MsgID != 4 {
			t.Fatalf("%d entries, %d omitted; want the first 5 and 7 omitted", len(js), s.JournalOmitted)
		}
	})
	t.Run("window", func(t *testing.T) {
		const window = 20 * time.Millisecond
		r := newTestRouter(t, RouterConfig{JournalWindow: window})
		b := newSink("n1")
		attach(t, r, b)
		r.Send(msg("n0", "n1", "gossip", 1))
		labcluster.WaitFor(t, wait, "the window to close", func() bool { return time.Since(r.Start()) > window })
		r.Send(msg("n0", "n1", "gossip", 2))
		labcluster.WaitFor(t, wait, "both delivered", func() bool { return b.count() == 2 })
		if js := r.Journal(); len(js) != 1 || *js[0].MsgID != 1 || r.Stats().JournalOmitted != 0 {
			t.Fatalf("journal %+v, want only the message sent in the window", js)
		}
	})
	t.Run("off", func(t *testing.T) {
		r := newTestRouter(t, RouterConfig{})
		attach(t, r, newSink("n1"))
		r.Send(msg("n0", "n1", "gossip", 1))
		if len(r.Journal()) != 0 {
			t.Fatal("journal without a window")
		}
	})
}
