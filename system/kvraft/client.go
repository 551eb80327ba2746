package kvraft

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"faultline/system/rsm"
	"faultline/transport"
)

// ClientConfig configures a Client. The zero value is usable.
type ClientConfig struct {
	// Names names the servers, index for index, for LastNode. Optional.
	Names []string
	// AttemptTimeout bounds one RPC attempt; zero means 1s.
	AttemptTimeout time.Duration
	// ClientID is the client's id for duplicate detection; zero picks a
	// random one. Two live clients must never share an id.
	ClientID int64
	// ReadAnyServer sends each Get to a random server first instead of the
	// last leader: with servers in ReadLocalUnsafe mode this makes stale
	// reads likely (the harness's self-test).
	ReadAnyServer bool
}

// Client is a context-aware key/value client (the shape of the harness's
// backend.Client, which system/backend/raftkv builds on it). Each operation
// retries across servers until it succeeds or its context ends. A Client is
// used by one goroutine at a time.
//
// Errors: a Get that fails never took effect, so its error wraps
// ErrNotApplied. A Put or Append that fails wraps ErrNotApplied only if no
// attempt could have reached a leader's log; otherwise its outcome is
// unknown (it may still be applied later, exactly once, or never).
type Client struct {
	servers []transport.Caller
	cfg     ClientConfig
	session rsm.Session
	leader  int

	mu   sync.Mutex
	last string
}

var (
	// ErrNoServers is returned by NewClient for an empty server list.
	ErrNoServers = errors.New("kvraft: no servers")
	// ErrNotApplied is wrapped by a Client error after which the
	// operation certainly did not take effect.
	ErrNotApplied = errors.New("kvraft: operation not applied")
)

// NewClient returns a client for servers. Callers that implement
// transport.ContextCaller get calls bounded by the operation's context.
func NewClient(servers []transport.Caller, cfg ClientConfig) (*Client, error) {
	if len(servers) == 0 {
		return nil, ErrNoServers
	}
	if len(cfg.Names) != 0 && len(cfg.Names) != len(servers) {
		return nil, fmt.Errorf("kvraft: %d names for %d servers", len(cfg.Names), len(servers))
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = time.Second
	}
	session := rsm.Session{ID: cfg.ClientID}
	if session.ID == 0 {
		session = rsm.NewSession()
	}
	return &Client{servers: servers, cfg: cfg, session: session}, nil
}

// LastNode names the server that answered the last successful operation,
// or "" when unknown (no names configured).
func (c *Client) LastNode() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Close releases nothing (the callers belong to whoever made them) and
// returns nil.
func (c *Client) Close() error { return nil }

// Get returns key's value ("" when it has none).
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	args := NewGetArgs(&c.session, key)
	if c.cfg.ReadAnyServer {
		c.leader = rand.IntN(len(c.servers))
	}
	var value string
	_, err := c.do(ctx, "KVServer.Get", func(srv transport.Caller, actx context.Context) (Err, error) {
		var reply GetReply
		if err := call(actx, srv, "KVServer.Get", &args, &reply); err != nil {
			return "", err
		}
		value = reply.Value
		return reply.Err, nil
	})
	if err != nil {
		// A read changes nothing: a failed one is a definite failure.
		return "", fmt.Errorf("%w: get %q: %w", ErrNotApplied, key, err)
	}
	return value, nil
}

// Put sets key to value.
func (c *Client) Put(ctx context.Context, key, value string) error {
	return c.putAppend(ctx, key, value, "Put")
}

// Append appends value to key's value.
func (c *Client) Append(ctx context.Context, key, value string) error {
	return c.putAppend(ctx, key, value, "Append")
}

func (c *Client) putAppend(ctx context.Context, key, value, op string) error {
	args := NewPutAppendArgs(&c.session, op, key, value)
	maybe, err := c.do(ctx, "KVServer.PutAppend", func(srv transport.Caller, actx context.Context) (Err, error) {
		var reply PutAppendReply
		if err := call(actx, srv, "KVServer.PutAppend", &args, &reply); err != nil {
			return "", err
		}
		return reply.Err, nil
	})
	if err == nil {
		return nil
	}
	if !maybe {
		return fmt.Errorf("%w: %s %q: %w", ErrNotApplied, op, key, err)
	}
	return fmt.Errorf("%s %q: outcome unknown: %w", op, key, err)
}

// CAS sets key to to if its value is from, or, with create, if it has
// none, atomically. It returns what the operation found: the key's value
// before it and whether the key existed; the operation set the key exactly
// when existed and prev == from, or !existed and create (Swapped). Its
// errors are Put's: ErrNotApplied when it certainly did not take effect,
// else an unknown outcome.
func (c *Client) CAS(ctx context.Context, key, from, to string, create bool) (prev string, existed bool, err error) {
	args := CASArgs{Key: key, From: from, To: to, Create: create, ClientID: c.session.ID, Seq: c.session.NextSeq()}
	var reply CASReply
	maybe, err := c.do(ctx, "KVServer.CAS", func(srv transport.Caller, actx context.Context) (Err, error) {
		reply = CASReply{}
		if err := call(actx, srv, "KVServer.CAS", &args, &reply); err != nil {
			return "", err
		}
		return reply.Err, nil
	})
	switch {
	case err == nil:
		return reply.Value, reply.Err == OK, nil
	case !maybe:
		return "", false, fmt.Errorf("%w: CAS %q: %w", ErrNotApplied, key, err)
	}
	return "", false, fmt.Errorf("CAS %q: outcome unknown: %w", key, err)
}

// do runs attempt against servers, starting with the last leader, until one
// answers OK or ErrNoKey or ctx ends. maybe reports whether some attempt may
// have placed the operation in a leader's log.
func (c *Client) do(ctx context.Context, what string, attempt func(transport.Caller, context.Context) (Err, error)) (maybe bool, err error) {
	var lastErr error
	for tried := 0; ; tried++ {
		if err := ctx.Err(); err != nil {
			if lastErr == nil {
				lastErr = err
			}
			return maybe, fmt.Errorf("%w (last attempt: %w)", err, lastErr)
		}
		actx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
		e, err := attempt(c.servers[c.leader], actx)
		cancel()
		switch {
		case err != nil:
			// The request may have reached the server before the
			// failure, unless the server itself rejected it.
			if !transport.IsRemote(err) {
				maybe = true
			}
			lastErr = err
		case e == OK || e == ErrNoKey:
			c.mu.Lock()
			if c.cfg.Names != nil {
				c.last = c.cfg.Names[c.leader]
			}
			c.mu.Unlock()
			return maybe, nil
		case e == ErrTimeout:
			// Try elsewhere: this may be a leader cut off in a
			// minority. Retries are deduplicated.
			maybe = true
			lastErr = fmt.Errorf("%s: server timed out waiting for apply", what)
		default:
			// ErrWrongLeader may come after the entry was started on
			// a deposed leader, which could still commit it.
			maybe = true
			lastErr = fmt.Errorf("%s: %s", what, e)
		}
		c.leader = (c.leader + 1) % len(c.servers)
		if (tried+1)%len(c.servers) == 0 {
			t := time.NewTimer(20 * time.Millisecond) // back-off
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
	}
}

// call performs one RPC bounded by ctx. A plain Caller runs in a goroutine
// so the wait can be abandoned; its eventual answer is discarded.
func call(ctx context.Context, srv transport.Caller, svcMeth string, args, reply any) error {
	if cc, ok := srv.(transport.ContextCaller); ok {
		return cc.CallContext(ctx, svcMeth, args, reply)
	}
	done := make(chan bool, 1)
	go func() { done <- srv.Call(svcMeth, args, reply) }()
	select {
	case ok := <-done:
		if !ok {
			return transport.ErrUnreachable
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", transport.ErrTimeout, ctx.Err())
	}
}
