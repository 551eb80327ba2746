package tcp

import (
	"context"
	"errors"
	"testing"

	"faultline/transport"
)

// TestTLS: in TLS mode clients holding the secret call as usual, while a
// client with another secret (so a certificate from another CA) and one
// speaking the HMAC handshake are refused and counted, their calls never
// served.
func TestTLS(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{Secret: testSecret, TLS: true})
	c := dial(t, l.Addr(), Config{Secret: testSecret, TLS: true})
	for i := range 10 {
		var r EchoReply
		if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: i, S: "over tls"}, &r); err != nil || r.N != i+1 || r.S != "over tls" {
			t.Fatalf("call %d: %v, reply %+v", i, err, r)
		}
	}
	served := e.calls.Load()
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"certificate from another CA", Config{Secret: []byte("another run's secret, 32 bytes.."), TLS: true}},
		{"hmac handshake", Config{Secret: testSecret}},
		{"no secret", Config{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := l.Stats().Rejected
			bad := dial(t, l.Addr(), tc.cfg)
			if err := bad.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &EchoReply{}); !errors.Is(err, transport.ErrUnreachable) {
				t.Fatalf("call: %v, want ErrUnreachable", err)
			}
			waitStats(t, l, "the rejection to be counted", func(s ListenerStats) bool { return s.Rejected > before })
		})
	}
	if n := e.calls.Load(); n != served {
		t.Errorf("%d calls of refused clients served", n-served)
	}
	// A TLS client refuses a server of another CA.
	other, _ := newEchoServer(t, Config{Secret: []byte("another run's secret, 32 bytes.."), TLS: true})
	c2 := dial(t, other.Addr(), Config{Secret: testSecret, TLS: true})
	if err := c2.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &EchoReply{}); !errors.Is(err, ErrAuth) {
		t.Fatalf("call to a server of another CA: %v, want ErrAuth", err)
	}
}
