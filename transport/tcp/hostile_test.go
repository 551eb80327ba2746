package tcp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/wire"
)

// TestHostileInput writes garbage, truncated, oversized and malformed
// frames to a live server over raw connections, while well-behaved clients
// on other connections keep calling. Each bad connection must be closed by
// the server with a logged reason; every good call must succeed; and the
// good clients must make progress during each attack.
func TestHostileInput(t *testing.T) {
	checkGoroutines(t)
	const seed = 20240601
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	var logs logBuffer
	const max = 1 << 20
	l, _ := newEchoServer(t, Config{MaxFrameSize: max, Logger: logs.logger()})

	// Well-behaved clients, calling until the attacks are over.
	var good atomic.Int64
	stop := make(chan struct{})
	var waits []func() error
	var clients []*Client
	for i := range 4 {
		c := dial(t, l.Addr(), Config{Conns: 1 + i%2})
		clients = append(clients, c)
		waits = append(waits, keepCalling(c, stop, &good))
	}
	progress := func(what string) {
		t.Helper()
		from := good.Load()
		waitFor(t, "good calls to progress "+what, func() bool { return good.Load() >= from+20 })
	}
	progress("before the attacks")

	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	okReq, err := appendRequest(nil, 1, "Echo.Echo", &EchoArgs{N: 1}, max)
	if err != nil {
		t.Fatal(err)
	}
	badArgs := rawFrame(frameRequest, 2, append([]byte{0, 9}, "Echo.Echo\xc1\xc1"...)) // 0xc1 is never valid msgpack

	for _, tc := range []struct {
		name   string
		send   []byte
		hangUp bool   // close our write side after sending
		reason string // logged by the server
	}{
		{"oversized", withLength(max+1, []byte("and a little data")), false, "exceeds max frame size"},
		{"oversized huge", withLength(0xfffffff0, garbage), false, "exceeds max frame size"},
		{"garbage", garbage, true, "dropping connection"},
		{"truncated body", okReq[:len(okReq)-3], true, "truncated frame"},
		{"truncated length", okReq[:2], true, "truncated frame"},
		{"short length", withLength(3, []byte{1, 2, 3}), false, "shorter than a header"},
		{"unknown type", rawFrame(42, 1, []byte("x")), false, "unknown type 42"},
		{"reply from a client", rawFrame(frameReply, 1, []byte("x")), false, "reply frame from a client"},
		{"method past the end", rawFrame(frameRequest, 1, []byte{0, 200, 'E'}), false, "method length 200"},
		{"good then bad", append(append([]byte(nil), okReq...), rawFrame(9, 2, nil)...), false, "unknown type 9"},
		{"bad args then oversized", append(append([]byte(nil), badArgs...), withLength(max+1, nil)...), false, "exceeds max frame size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := logs.count(tc.reason)
			nc, err := net.Dial("tcp", l.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if _, err := nc.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			if tc.hangUp {
				_ = nc.(*net.TCPConn).CloseWrite()
			}
			// The server closes the connection: reads end (EOF or reset)
			// rather than time out. Replies to good frames before the bad
			// one may come first.
			_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err = io.Copy(io.Discard, nc)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept the connection open")
			}
			waitFor(t, "the reason to be logged", func() bool { return logs.count(tc.reason) > before })
			progress("after " + tc.name)
		})
	}

	t.Run("stalled connections", func(t *testing.T) {
		// Half a header, and a frame promising more than it sends, left
		// hanging: they hold only their own connections.
		for _, b := range [][]byte{{0, 0}, withLength(1000, []byte{1, 0, 0})} {
			nc, err := net.Dial("tcp", l.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if _, err := nc.Write(b); err != nil {
				t.Fatal(err)
			}
		}
		progress("with stalled connections")
	})

	t.Run("bad args keep the connection", func(t *testing.T) {
		nc, err := net.Dial("tcp", l.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if _, err := nc.Write(append(append([]byte(nil), badArgs...), okReq...)); err != nil {
			t.Fatal(err)
		}
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		fr := newFrameReader(bufio.NewReader(nc), max)
		got := map[uint64]frame{}
		for len(got) < 2 {
			f, err := fr.next()
			if err != nil {
				t.Fatalf("reading replies: %v", err)
			}
			f.body = append([]byte(nil), f.body...)
			got[f.id] = f
		}
		if f := got[2]; f.typ != frameError || !strings.Contains(string(f.body), transport.ErrBadArgs.Error()) {
			t.Errorf("bad args: %v frame %q, want an error saying %q", f.typ, f.body, transport.ErrBadArgs)
		}
		var r EchoReply
		if f := got[1]; f.typ != frameReply || wire.Unmarshal(f.body, &r) != nil || r.N != 2 {
			t.Errorf("good request after bad args: %v frame, reply %+v", f.typ, r)
		}
	})

	close(stop)
	var goodErrs []error
	for _, wait := range waits {
		if err := wait(); err != nil {
			goodErrs = append(goodErrs, err)
		}
	}
	// Only the good clients' connections are left on the server.
	live := 0
	for _, c := range clients {
		for i := range c.slots {
			if cc := c.slots[i].cur.Load(); cc != nil && !cc.dead.Load() {
				live++
			}
		}
	}
	waitFor(t, "the server to close the bad connections", func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.conns) == live
	})
	for _, err := range goodErrs {
		t.Errorf("good client: %v", err)
	}
	t.Logf("%d good calls during the attacks", good.Load())
}

// TestMaxInFlight checks that a connection sending requests faster than
// its handlers finish is read no further than Config.MaxInFlight requests
// ahead, while other connections are served.
func TestMaxInFlight(t *testing.T) {
	checkGoroutines(t)
	const limit, sent = 8, 20
	l, e := newEchoServer(t, Config{MaxInFlight: limit})
	good := dial(t, l.Addr(), Config{})
	nc, err := net.Dial("tcp", l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var reqs []byte
	for i := range sent {
		if reqs, err = appendRequest(reqs, uint64(i), "Echo.Wait", &EchoArgs{N: i}, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := nc.Write(reqs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first requests to run", func() bool { return e.calls.Load() >= limit })
	for i := range 10 {
		var r EchoReply
		if err := good.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: i}, &r); err != nil {
			t.Fatalf("other connection: %v", err)
		}
	}
	if got := e.calls.Load() - 10; got != limit {
		t.Fatalf("%d requests of the stalled connection running, want %d", got, limit)
	}
	e.unblock()
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	fr := newFrameReader(bufio.NewReader(nc), 1<<20)
	for i := range sent {
		if f, err := fr.next(); err != nil || f.typ != frameReply {
			t.Fatalf("reply %d: %v frame, err %v", i, f.typ, err)
		}
	}
}
