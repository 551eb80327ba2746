package tcp

import (
	"strings"
	"testing"
	"time"

	"faultline/transport"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("zero Config: %v", err)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // the field and value the error names
	}{
		{"small frames", Config{MaxFrameSize: 100}, "MaxFrameSize = 100"},
		{"negative frames", Config{MaxFrameSize: -1}, "MaxFrameSize = -1"},
		{"huge frames", Config{MaxFrameSize: 1 << 33}, "MaxFrameSize = 8589934592"},
		{"negative dial timeout", Config{DialTimeout: -time.Second}, "DialTimeout = -1s"},
		{"negative call timeout", Config{CallTimeout: -time.Second}, "CallTimeout = -1s"},
		{"negative conns", Config{Conns: -1}, "Conns = -1"},
		{"too many conns", Config{Conns: 1000}, "Conns = 1000"},
		{"negative in-flight", Config{MaxInFlight: -3}, "MaxInFlight = -3"},
		{"negative backoff", Config{BackoffMin: -1}, "BackoffMin = -1ns"},
		{"negative handshake timeout", Config{HandshakeTimeout: -time.Second}, "HandshakeTimeout = -1s"},
		{"negative frame timeout", Config{FrameTimeout: -time.Second}, "FrameTimeout = -1s"},
		{"negative idle timeout", Config{IdleTimeout: -time.Second}, "IdleTimeout = -1s"},
		{"negative handshakes", Config{MaxHandshakes: -1}, "MaxHandshakes = -1"},
		{"negative conns limit", Config{MaxConns: -2}, "MaxConns = -2"},
		{"short secret", Config{Secret: []byte("short")}, "Secret of 5 bytes"},
		{"tls without a secret", Config{TLS: true}, "TLS = true without a Secret"},
		{"backoff max below min", Config{BackoffMin: time.Second, BackoffMax: time.Millisecond}, "BackoffMax = 1ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error naming %q", err, tc.want)
			}
			if _, lerr := Listen("127.0.0.1:0", transport.NewServer(), tc.cfg); lerr == nil {
				t.Error("Listen accepted the config")
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Error("Dial accepted the config")
					}
				}()
				Dial("127.0.0.1:1", tc.cfg)
			}()
		})
	}
	// A BackoffMin above the default BackoffMax raises the defaulted max.
	if err := (Config{BackoffMin: time.Second}).Validate(); err != nil {
		t.Errorf("BackoffMin above the default max: %v", err)
	}
}
