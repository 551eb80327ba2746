package raftkv

import (
	"context"
	"net"
	"testing"
	"time"

	"faultline/internal/hostile"
	"faultline/transport/tcp"
)

// floodPerNode is how many silent connections the flood opens to each
// node: past the listener's handshake limit.
const floodPerNode = tcp.DefaultMaxHandshakes + 44

// TestHostileFloodAndSlowloris: while every node is flooded with more
// silent connections than it lets handshake at once, and a slowloris
// trickles a hello a byte at a time, new legitimate clients still connect
// and a linearizable workload runs; every attacking connection is closed
// within the handshake timeout and counted.
func TestHostileFloodAndSlowloris(t *testing.T) {
	c, ctx := hostileCluster(t)
	before := rejected(ctx, t, c)

	type loris struct {
		lasted time.Duration
		closed bool
	}
	lorises := make(chan loris, len(c.Addrs()))
	for _, addr := range c.Addrs() {
		go func() {
			lctx, cancel := context.WithTimeout(ctx, tcp.DefaultHandshakeTimeout+10*time.Second)
			defer cancel()
			hello := append([]byte{0xf4, 'F', 'L', 'T'}, make([]byte, 60)...)
			d, closed := hostile.Slowloris(lctx, addr, hello, 100*time.Millisecond)
			lorises <- loris{d, closed}
		}()
	}
	var flood [][]net.Conn
	for _, addr := range c.Addrs() {
		flood = append(flood, hostile.Flood(t, addr, floodPerNode))
	}
	start := time.Now()

	// New clients dial every node during the flood.
	hostileWorkload(ctx, t, c, hostile.NewWorkload("k0", "k1", "k2"), 60)
	t.Logf("workload under flood took %v", time.Since(start))

	deadline := start.Add(tcp.DefaultHandshakeTimeout + 5*time.Second)
	for i, conns := range flood {
		if n := hostile.Closed(conns, deadline); n != len(conns) {
			t.Errorf("node %s closed %d of %d silent connections by the handshake deadline", nodeName(i), n, len(conns))
		}
	}
	for range c.Addrs() {
		l := <-lorises
		if !l.closed || l.lasted > tcp.DefaultHandshakeTimeout+5*time.Second {
			t.Errorf("slowloris lasted %v (closed by the node: %v), want closed within %v", l.lasted, l.closed, tcp.DefaultHandshakeTimeout)
		}
	}
	after := rejected(ctx, t, c)
	for n, st := range after {
		b := before[n]
		if got := st.Evicted - b.Evicted; got < floodPerNode-tcp.DefaultMaxHandshakes {
			t.Errorf("node %s evicted %d handshaking connections, want >= %d (stats %+v)", n, got, floodPerNode-tcp.DefaultMaxHandshakes, st)
		}
		if got := st.Unauthenticated() - b.Unauthenticated(); got < floodPerNode+1 {
			t.Errorf("node %s refused %d unauthenticated connections, want >= %d (stats %+v)", n, got, floodPerNode+1, st)
		}
	}
}
