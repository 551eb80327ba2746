package tcp

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Config holds the settings of a Client or Listener. The zero value of every
// field means its default (see DefaultConfig); negative or out-of-range values
// are rejected by Validate.
type Config struct {
	// MaxFrameSize bounds the length of one frame (after its 4-byte length
	// prefix), in both directions. A peer sending a longer one is
	// disconnected; a call whose request or reply would be longer fails.
	MaxFrameSize int
	// DialTimeout bounds one connection attempt.
	DialTimeout time.Duration
	// CallTimeout bounds Call (the bool form). CallContext is bounded by its
	// context instead.
	CallTimeout time.Duration
	// Conns is the number of connections a Client keeps to its peer; calls
	// go round-robin over them.
	Conns int
	// BackoffMin is the wait after the first failed connection attempt; it
	// doubles with every further failure up to BackoffMax. While waiting,
	// calls fail at once with transport.ErrUnreachable.
	BackoffMin time.Duration
	// BackoffMax caps the wait between connection attempts.
	BackoffMax time.Duration
	// MaxInFlight bounds the requests of one server connection being
	// handled at once. When it is reached the listener stops reading that
	// connection until a handler finishes, so a client that sends without
	// reading its replies stalls only its own connection, holding a bounded
	// number of goroutines and buffers.
	MaxInFlight int
	// Node is this process's node name: the "from" of the link faults applied
	// to requests (and the "to" of those applied to replies).
	Node string
	// Faults is the link-fault table shared with the chaos controller; nil
	// means a healthy network.
	Faults *Faults
	// Meter, if not nil, counts the Client's calls and bytes by method.
	Meter *Meter
	// Logger receives connection-level events (a peer disconnected for a
	// malformed frame, say); nil discards them.
	Logger *slog.Logger

	// Secret is the cluster's per-run secret (see NewSecret and
	// ReadSecretFile). When set, every connection runs a mutual
	// challenge-response handshake (HMAC-SHA256) before a single frame is
	// decoded, and a peer that does not prove knowledge of the secret is
	// closed and counted (ListenerStats.Rejected). Nil means no
	// authentication: the transport is open to any local process.
	Secret []byte
	// TLS, with a Secret, encrypts every connection with mutual TLS 1.3
	// under certificates from a CA derived from the Secret, instead of the
	// HMAC handshake: for clusters whose traffic crosses hosts.
	TLS bool
	// HandshakeTimeout bounds the authentication of one connection, on
	// both sides.
	HandshakeTimeout time.Duration
	// FrameTimeout bounds the arrival of one frame on a server connection,
	// from its first byte to its last: a peer trickling bytes is dropped.
	FrameTimeout time.Duration
	// IdleTimeout closes a server connection on which no frame has arrived
	// for that long and no request is being handled.
	IdleTimeout time.Duration
	// MaxHandshakes bounds a Listener's connections still authenticating.
	// A connection arriving when it is reached closes the oldest of them.
	MaxHandshakes int
	// MaxConns bounds a Listener's authenticated connections; one more is
	// closed as soon as it has authenticated.
	MaxConns int
}

// Default settings, used for zero Config fields.
const (
	DefaultMaxFrameSize = 64 << 20
	DefaultDialTimeout  = 2 * time.Second
	DefaultCallTimeout  = 2 * time.Second
	DefaultConns        = 1
	DefaultBackoffMin   = 10 * time.Millisecond
	DefaultBackoffMax   = 250 * time.Millisecond
	DefaultMaxInFlight  = 4096

	DefaultHandshakeTimeout = 5 * time.Second
	DefaultFrameTimeout     = 30 * time.Second
	DefaultIdleTimeout      = 2 * time.Minute
	DefaultMaxHandshakes    = 256
	DefaultMaxConns         = 4096
)

// Bounds checked by Validate.
const (
	minFrameSize = 1 << 10
	maxFrameSize = math.MaxUint32
	maxConns     = 64
)

// DefaultConfig returns a Config with every field at its default.
func DefaultConfig() Config {
	return Config{
		MaxFrameSize: DefaultMaxFrameSize,
		DialTimeout:  DefaultDialTimeout,
		CallTimeout:  DefaultCallTimeout,
		Conns:        DefaultConns,
		BackoffMin:   DefaultBackoffMin,
		BackoffMax:   DefaultBackoffMax,
		MaxInFlight:  DefaultMaxInFlight,

		HandshakeTimeout: DefaultHandshakeTimeout,
		FrameTimeout:     DefaultFrameTimeout,
		IdleTimeout:      DefaultIdleTimeout,
		MaxHandshakes:    DefaultMaxHandshakes,
		MaxConns:         DefaultMaxConns,
	}
}

// Validate checks every field and the rules between fields, treating zero
// fields as their defaults. Its errors name the field and its value.
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.MaxFrameSize < minFrameSize || c.MaxFrameSize > maxFrameSize {
		return fmt.Errorf("tcp config: MaxFrameSize = %d, want %d..%d", c.MaxFrameSize, minFrameSize, int64(maxFrameSize))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"DialTimeout", c.DialTimeout},
		{"CallTimeout", c.CallTimeout},
		{"BackoffMin", c.BackoffMin},
		{"BackoffMax", c.BackoffMax},
		{"HandshakeTimeout", c.HandshakeTimeout},
		{"FrameTimeout", c.FrameTimeout},
		{"IdleTimeout", c.IdleTimeout},
	} {
		if d.v < 0 {
			return fmt.Errorf("tcp config: %s = %v, want > 0", d.name, d.v)
		}
	}
	if c.Conns < 1 || c.Conns > maxConns {
		return fmt.Errorf("tcp config: Conns = %d, want 1..%d", c.Conns, maxConns)
	}
	if c.MaxInFlight < 1 {
		return fmt.Errorf("tcp config: MaxInFlight = %d, want >= 1", c.MaxInFlight)
	}
	if c.MaxHandshakes < 1 {
		return fmt.Errorf("tcp config: MaxHandshakes = %d, want >= 1", c.MaxHandshakes)
	}
	if c.MaxConns < 1 {
		return fmt.Errorf("tcp config: MaxConns = %d, want >= 1", c.MaxConns)
	}
	if c.Secret != nil && len(c.Secret) < MinSecretLen {
		return fmt.Errorf("tcp config: Secret of %d bytes, want >= %d", len(c.Secret), MinSecretLen)
	}
	if c.TLS && c.Secret == nil {
		return errors.New("tcp config: TLS = true without a Secret")
	}
	if c.BackoffMax < c.BackoffMin {
		return fmt.Errorf("tcp config: BackoffMax = %v, want >= BackoffMin (%v)", c.BackoffMax, c.BackoffMin)
	}
	return nil
}

// withDefaults returns c with its zero fields set to their defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.MaxFrameSize = cmp.Or(c.MaxFrameSize, d.MaxFrameSize)
	c.DialTimeout = cmp.Or(c.DialTimeout, d.DialTimeout)
	c.CallTimeout = cmp.Or(c.CallTimeout, d.CallTimeout)
	c.Conns = cmp.Or(c.Conns, d.Conns)
	c.BackoffMin = cmp.Or(c.BackoffMin, d.BackoffMin)
	c.MaxInFlight = cmp.Or(c.MaxInFlight, d.MaxInFlight)
	c.BackoffMax = cmp.Or(c.BackoffMax, max(d.BackoffMax, c.BackoffMin))
	c.HandshakeTimeout = cmp.Or(c.HandshakeTimeout, d.HandshakeTimeout)
	c.FrameTimeout = cmp.Or(c.FrameTimeout, d.FrameTimeout)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, d.IdleTimeout)
	c.MaxHandshakes = cmp.Or(c.MaxHandshakes, d.MaxHandshakes)
	c.MaxConns = cmp.Or(c.MaxConns, d.MaxConns)
	return c
}

// logger returns c.Logger, or one that discards everything.
func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}
