package tcp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"faultline/transport"
)

// testSecret authenticates the tests' servers and clients.
var testSecret = []byte("faultline test secret 0123456789")

// rawConn opens a raw connection to addr, closed when the test ends.
func rawConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

// testHello is a well-formed hello with the given nonce.
func testHello(nonce []byte) []byte {
	hello := append(append([]byte(nil), handshakeMagic[:]...), handshakeVersion, modeHMAC, 0, 0)
	return append(hello, nonce...)
}

// rawAuthConn opens a raw connection to addr and authenticates it with
// secret, for tests that then write frames by hand.
func rawAuthConn(t *testing.T, addr string, secret []byte) net.Conn {
	t.Helper()
	nc := rawConn(t, addr)
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := clientHandshake(nc, secret); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	_ = nc.SetDeadline(time.Time{})
	return nc
}

// expectClosed waits up to within for the server to close nc, reading and
// discarding what it sends; it fails the test if nc is still open.
func expectClosed(t *testing.T, nc net.Conn, within time.Duration) []byte {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(within))
	var got bytes.Buffer
	_, err := io.Copy(&got, nc)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v", within)
	}
	return got.Bytes()
}

// waitStats waits until the listener's stats satisfy cond.
func waitStats(t *testing.T, l *Listener, what string, cond func(ListenerStats) bool) {
	t.Helper()
	waitFor(t, what, func() bool { return cond(l.Stats()) })
}

// TestAuthCorrectClient: clients holding the secret call as before, and the
// listener counts their connections as authenticated.
func TestAuthCorrectClient(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{Secret: testSecret})
	c := dial(t, l.Addr(), Config{Secret: testSecret, Conns: 2})
	for i := range 20 {
		var r EchoReply
		if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: i}, &r); err != nil || r.N != i+1 {
			t.Fatalf("call %d: %v, reply %+v", i, err, r)
		}
	}
	if e.calls.Load() != 20 {
		t.Errorf("%d calls served, want 20", e.calls.Load())
	}
	st := l.Stats()
	if st.Authenticated != 2 || st.Open != 2 || st.Unauthenticated() != 0 {
		t.Errorf("stats %+v, want 2 authenticated and open, none refused", st)
	}
}

// TestAuthRejectsBeforeDecode: a client without the secret, or with a
// wrong one, is closed and counted, and none of its frames reaches a
// handler: not even one sent right behind a (wrong) proof.
func TestAuthRejectsBeforeDecode(t *testing.T) {
	checkGoroutines(t)
	var logs logBuffer
	l, e := newEchoServer(t, Config{Secret: testSecret, HandshakeTimeout: time.Minute, Logger: logs.logger()})
	req, err := appendRequest(nil, 1, "Echo.Echo", &EchoArgs{N: 1}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	wrong := []byte("not the secret, but long enough")

	t.Run("client without a secret", func(t *testing.T) {
		c := dial(t, l.Addr(), Config{})
		if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &EchoReply{}); !errors.Is(err, transport.ErrUnreachable) {
			t.Fatalf("call: %v, want ErrUnreachable", err)
		}
		waitStats(t, l, "the rejection to be counted", func(s ListenerStats) bool { return s.Rejected >= 1 })
	})
	t.Run("client with a wrong secret", func(t *testing.T) {
		before := l.Stats().Rejected
		c := dial(t, l.Addr(), Config{Secret: wrong})
		err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &EchoReply{})
		if !errors.Is(err, transport.ErrUnreachable) || !errors.Is(err, ErrAuth) {
			t.Fatalf("call: %v, want ErrUnreachable and ErrAuth", err)
		}
		waitStats(t, l, "the rejection to be counted", func(s ListenerStats) bool { return s.Rejected > before })
	})
	t.Run("raw frame without a handshake", func(t *testing.T) {
		before := l.Stats().Rejected
		nc := rawConn(t, l.Addr())
		if _, err := nc.Write(req); err != nil {
			t.Fatal(err)
		}
		if got := expectClosed(t, nc, 10*time.Second); len(got) != 0 {
			t.Errorf("the server answered % x", got)
		}
		waitStats(t, l, "the rejection to be counted", func(s ListenerStats) bool { return s.Rejected > before })
	})
	t.Run("wrong proof then a frame", func(t *testing.T) {
		before := l.Stats().Rejected
		nc := rawConn(t, l.Addr())
		hello := testHello(bytes.Repeat([]byte{7}, nonceSize))
		if _, err := nc.Write(hello); err != nil {
			t.Fatal(err)
		}
		var ch [challengeSize]byte
		if _, err := io.ReadFull(nc, ch[:]); err != nil {
			t.Fatal(err)
		}
		proof := appendMAC(nil, wrong, "client", hello, ch[8:8+nonceSize])
		if _, err := nc.Write(append(proof, req...)); err != nil {
			t.Fatal(err)
		}
		if got := expectClosed(t, nc, 10*time.Second); len(got) != 0 {
			t.Errorf("the server answered % x", got)
		}
		waitStats(t, l, "the rejection to be counted", func(s ListenerStats) bool { return s.Rejected > before })
	})
	if n := e.calls.Load(); n != 0 {
		t.Errorf("%d calls reached the service", n)
	}
	if n := logs.count("unauthenticated connection closed"); n < 4 {
		t.Errorf("%d rejections logged, want 4", n)
	}
	if bytes.Contains([]byte(logs.String()), testSecret) {
		t.Error("the secret appears in the log")
	}
}

// TestAuthRejectsJunkAtOnce: bytes that are not the handshake close the
// connection at the first wrong byte, long before HandshakeTimeout; a peer
// flooding the handshake with data is refused after the fixed-size
// messages, having made the server read nothing more.
func TestAuthRejectsJunkAtOnce(t *testing.T) {
	checkGoroutines(t)
	l, _ := newEchoServer(t, Config{Secret: testSecret, HandshakeTimeout: time.Hour})
	hello := testHello(make([]byte, nonceSize))
	for _, tc := range []struct {
		name string
		send []byte
	}{
		{"http", []byte("GET / HTTP/1.1\r\n")},
		{"one wrong byte", []byte{0x00}},
		{"wrong version", append(append([]byte(nil), handshakeMagic[:]...), 99)},
		{"wrong mode", append(append([]byte(nil), hello[:5]...), 9)},
		{"oversized", append(append([]byte(nil), hello...), bytes.Repeat([]byte{0xee}, 1<<20)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := l.Stats().Rejected
			nc := rawConn(t, l.Addr())
			go func() { _, _ = nc.Write(tc.send) }() // the oversized write may fail when the server hangs up
			expectClosed(t, nc, 10*time.Second)
			waitStats(t, l, "the rejection to be counted", func(s ListenerStats) bool { return s.Rejected > before })
		})
	}
}

// TestHandshakeTimeout: a peer that starts the handshake and stops is
// closed after HandshakeTimeout and counted; a client whose server never
// answers gives up after its own HandshakeTimeout.
func TestHandshakeTimeout(t *testing.T) {
	checkGoroutines(t)
	l, _ := newEchoServer(t, Config{Secret: testSecret, HandshakeTimeout: 200 * time.Millisecond})
	nc := rawConn(t, l.Addr())
	if _, err := nc.Write(handshakeMagic[:]); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, nc, 10*time.Second)
	waitStats(t, l, "the timeout to be counted", func(s ListenerStats) bool { return s.Rejected == 1 && s.Handshaking == 0 })

	// A listener that accepts and says nothing.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	c := dial(t, ln.Addr().String(), Config{Secret: testSecret, HandshakeTimeout: 100 * time.Millisecond})
	err = c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &EchoReply{})
	if !errors.Is(err, transport.ErrUnreachable) || !errors.Is(err, ErrAuth) {
		t.Fatalf("call to a silent server: %v, want ErrUnreachable and ErrAuth", err)
	}
}
