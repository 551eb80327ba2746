package maelstrom

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"faultline/internal/labcluster"
	"faultline/transport"
)

// TestRouterNetLog: with LogSend and LogRecv every message sent is logged
// with its fate and every delivery is logged, as whole JSON lines; each
// flag alone logs only its own side; long bodies are cut.
func TestRouterNetLog(t *testing.T) {
	for i := range 4 {
		c := struct{ send, recv bool }{i&1 == 0, i&2 == 0}
		var out bytes.Buffer // read once Close has stopped the log's writer
		r := NewRouter(RouterConfig{LogSend: c.send, LogRecv: c.recv, NetLog: &out})
		n0, n1 := newSink("n0"), newSink("n1")
		attach(t, r, n0, n1)
		if err := r.SetLink("n0", "n1", transport.LinkFaults{Blocked: true}); err != nil {
			t.Fatal(err)
		}
		r.Send(msg("n1", "n0", "gossip", 7))
		r.Send(msg("n0", "n1", "gossip", 8))
		r.Send(msg("n0", "n9", "gossip", 9))
		big := Message{Src: "n1", Dest: "n0", Body: []byte(`{"type":"big","pad":"` + strings.Repeat("x", 3*NetLogBody) + `"}`)}
		r.Send(big)
		labcluster.WaitFor(t, wait, "deliveries", func() bool { return n0.count() == 2 })
		r.Close()
		got := out.String()
		want := map[string]bool{
			`send {"src":"n1","dest":"n0","body":{"msg_id":7,"type":"gossip"}}` + "\n":                    c.send,
			`send {"src":"n0","dest":"n1","body":{"msg_id":8,"type":"gossip"}} dropped: partition` + "\n": c.send,
			`send {"src":"n0","dest":"n9","body":{"msg_id":9,"type":"gossip"}} dropped: unknown-dest`:     c.send,
			`recv {"src":"n1","dest":"n0","body":{"msg_id":7,"type":"gossip"}}` + "\n":                    c.recv,
			`recv {"src":"n0","dest":"n1"`:                         false,
			`... (cut: ` + strconv.Itoa(len(big.Body)) + ` bytes)`: c.send || c.recv,
		}
		for line, w := range want {
			if strings.Contains(got, line) != w {
				t.Errorf("send %v recv %v: %q logged = %v, want %v; log:\n%s", c.send, c.recv, line, !w, w, got)
			}
		}
		if n := strings.Count(got, "\n"); n != 4*btoi(c.send)+2*btoi(c.recv) {
			t.Errorf("send %v recv %v: %d lines:\n%s", c.send, c.recv, n, got)
		}
		if strings.Count(got, strings.Repeat("x", NetLogBody)) != 0 {
			t.Errorf("a body was not cut at %d bytes", NetLogBody)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRouterNetLogBounded: a log writer that never returns does not hold
// the router up: every message is delivered, the lines beyond the queue
// are counted dropped, and Close returns.
func TestRouterNetLogBounded(t *testing.T) {
	pr, pw := io.Pipe() // nobody reads: every write blocks
	defer pr.Close()
	r := NewRouter(RouterConfig{LogSend: true, LogRecv: true, NetLog: pw})
	n0 := newSink("n0")
	attach(t, r, n0)
	const n = 2 * NetLogQueue
	for i := range n {
		r.Send(msg("c1", "n0", "echo", int64(i)))
	}
	labcluster.WaitFor(t, 6*wait, "deliveries", func() bool { return n0.count() == n })
	if d := r.NetLogDropped(); d < n {
		t.Fatalf("%d lines dropped, want at least %d of %d", d, n, 2*n)
	}
	r.Close()
}
