package tcp

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
)

// TestSlowlorisDropped: an authenticated peer that starts a frame and
// trickles its bytes is dropped once FrameTimeout has passed since the
// frame began, though each byte arrives well within it; others are served.
func TestSlowlorisDropped(t *testing.T) {
	checkGoroutines(t)
	l, _ := newEchoServer(t, Config{Secret: testSecret, FrameTimeout: 300 * time.Millisecond})
	good := dial(t, l.Addr(), Config{Secret: testSecret})
	nc := rawAuthConn(t, l.Addr(), testSecret)
	req, err := appendRequest(nil, 1, "Echo.Echo", &EchoArgs{N: 1, S: "slow"}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		expectClosed(t, nc, 10*time.Second)
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	sent := 0
	for done := false; !done && sent < len(req); {
		select {
		case <-closed:
			done = true
		case <-tick.C:
			if _, err := nc.Write(req[sent : sent+1]); err != nil {
				done = true
				break
			}
			sent++
		}
	}
	<-closed
	if sent >= len(req) {
		t.Fatalf("the whole %d-byte frame was sent a byte at a time", len(req))
	}
	waitStats(t, l, "the slow frame to be counted", func(s ListenerStats) bool { return s.SlowFrames == 1 })
	var r EchoReply
	if err := good.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: 1}, &r); err != nil {
		t.Fatalf("good client: %v", err)
	}
}

// TestIdleDropped: a connection without frames for IdleTimeout is closed
// and counted, but not one whose request is still being handled; a Client
// whose connection was closed for idleness reconnects on its next call.
func TestIdleDropped(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{Secret: testSecret, IdleTimeout: 200 * time.Millisecond})
	nc := rawAuthConn(t, l.Addr(), testSecret)
	expectClosed(t, nc, 10*time.Second)
	waitStats(t, l, "the idle connection to be counted", func(s ListenerStats) bool { return s.Idle == 1 && s.Open == 0 })

	c := dial(t, l.Addr(), Config{Secret: testSecret, Conns: 1})
	done := make(chan error, 1)
	go func() { done <- c.CallContext(context.Background(), "Echo.Wait", &EchoArgs{N: 1}, &EchoReply{}) }()
	waitFor(t, "the call to block", func() bool { return e.calls.Load() == 1 })
	// Several idle timeouts pass while the handler runs: the elapsed time
	// is what is under test, not a synchronisation.
	time.Sleep(600 * time.Millisecond)
	e.unblock()
	if err := <-done; err != nil {
		t.Fatalf("call outlasting the idle timeout: %v", err)
	}
	if st := l.Stats(); st.Idle != 1 {
		t.Fatalf("stats %+v: a busy connection was closed as idle", st)
	}
	waitStats(t, l, "the client's connection to go idle", func(s ListenerStats) bool { return s.Idle == 2 })
	var r EchoReply
	waitFor(t, "the client to reconnect", func() bool {
		return c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: 2}, &r) == nil
	})
}

// TestConnectionLimits: an attacker holding and exceeding MaxHandshakes
// silent connections has its oldest ones closed and counted, and never
// more than MaxHandshakes open, while an authenticated client keeps
// calling and new clients still connect; authenticated connections past
// MaxConns are closed and counted.
func TestConnectionLimits(t *testing.T) {
	checkGoroutines(t)
	const maxHS, maxConns = 8, 4
	l, _ := newEchoServer(t, Config{Secret: testSecret, MaxHandshakes: maxHS, MaxConns: maxConns, HandshakeTimeout: time.Hour})
	steady := dial(t, l.Addr(), Config{Secret: testSecret, Conns: 1})

	var calls atomic.Int64
	stop := make(chan struct{})
	wait := keepCalling(steady, stop, &calls)
	waitFor(t, "the steady client to call", func() bool { return calls.Load() > 10 })

	var attack []net.Conn
	defer func() {
		for _, nc := range attack {
			nc.Close()
		}
	}()
	open := func(n int) {
		for range n {
			nc, err := net.Dial("tcp", l.Addr())
			if err != nil {
				t.Fatal(err)
			}
			attack = append(attack, nc)
			if s := l.Stats(); s.Handshaking > maxHS {
				t.Fatalf("%d connections handshaking, max %d", s.Handshaking, maxHS)
			}
		}
	}
	open(maxHS)
	waitStats(t, l, "the attacker to hold every slot", func(s ListenerStats) bool { return s.Handshaking == maxHS })
	from := calls.Load()
	open(3 * maxHS)
	waitStats(t, l, "the excess to be evicted", func(s ListenerStats) bool { return s.Evicted == 3*maxHS && s.Handshaking == maxHS })
	waitFor(t, "steady calls during the attack", func() bool { return calls.Load() > from+20 })

	// New clients connect while the attacker holds the maximum.
	for i := range maxConns - 1 {
		c := dial(t, l.Addr(), Config{Secret: testSecret, Conns: 1})
		var r EchoReply
		if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: i}, &r); err != nil {
			t.Fatalf("new client %d during the attack: %v", i, err)
		}
	}
	// One more authenticated connection is over MaxConns.
	over := dial(t, l.Addr(), Config{Secret: testSecret, Conns: 1})
	if err := over.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &EchoReply{}); !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("client over MaxConns: %v, want ErrUnreachable", err)
	}
	waitStats(t, l, "the connection over the limit to be counted", func(s ListenerStats) bool { return s.OverLimit >= 1 && s.Open == maxConns })
	close(stop)
	if err := wait(); err != nil {
		t.Fatalf("steady client: %v", err)
	}
	t.Logf("stats %+v", l.Stats())
}
