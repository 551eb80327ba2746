package exec

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

// respProto speaks RESP (Redis) with go-redis: GET, SET and APPEND.
// Writes go to the primary: the first serving node, or, with sentinels,
// whichever node they name as the master (go-redis's failover client,
// which asks them and follows their switch-master announcements). Reads
// go to the primary too, or with read-from any to serving node id mod
// nodes. The clients never go through the proxies: an address a server
// names (a Sentinel's master) is mapped back to the node's real one.
type respProto struct {
	c    *Cluster
	opts options
	pool *backend.Pool[*respConns]
}

// respConns is one pool slot: a go-redis client of the primary and one of
// each serving node, each with its own connection pool.
type respConns struct {
	primary redis.UniversalClient
	nodes   []*redis.Client
	names   []string
}

// quietLibrary silences go-redis's package logger, which would print
// its sentinel chatter on the harness's stderr.
var quietLibrary sync.Once

func newRESP(c *Cluster, o options) *respProto {
	quietLibrary.Do(func() { redis.SetLogger(quiet{}) })
	p := &respProto{c: c, opts: o}
	p.pool = p.newPool(o.conns)
	return p
}

// dial connects to addr, or to the real address of the node a proxy or
// front address stands for, guarding the connection against replies
// beyond the bounds (guardConn).
func (p *respProto) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if real, ok := p.c.plan.clientOf[addr]; ok {
		addr = real
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &guardConn{Conn: conn}, nil
}

// options are the go-redis options of a client of addr: a timeout on
// every dial, read and write, the context's deadline honoured, and no
// retries (a retried APPEND could apply twice).
func (p *respProto) options(addr string) *redis.Options {
	t := p.c.d.Protocol.Timeout
	return &redis.Options{Addr: addr, Dialer: p.dial, DialTimeout: t, ReadTimeout: t, WriteTimeout: t,
		ContextTimeoutEnabled: true, MaxRetries: -1, DisableIdentity: true, Protocol: 2}
}

func (p *respProto) newPool(n int) *backend.Pool[*respConns] {
	return backend.NewPool(n, func(int) (*respConns, error) {
		rc := &respConns{}
		for _, nd := range p.c.serving() {
			rc.nodes = append(rc.nodes, redis.NewClient(p.options(nd.client)))
			rc.names = append(rc.names, nd.name)
		}
		pr := &p.c.d.Protocol
		if pr.Sentinel == "" {
			rc.primary = rc.nodes[0]
			return rc, nil
		}
		t := pr.Timeout
		var sentinels []string
		for _, nd := range p.c.nodes {
			if nd.role.Name == pr.Sentinel {
				sentinels = append(sentinels, nd.client)
			}
		}
		rc.primary = redis.NewFailoverClient(&redis.FailoverOptions{MasterName: pr.Master, SentinelAddrs: sentinels,
			Dialer: p.dial, DialTimeout: t, ReadTimeout: t, WriteTimeout: t,
			ContextTimeoutEnabled: true, MaxRetries: -1, DisableIdentity: true, Protocol: 2})
		return rc, nil
	}, func(rc *respConns) error {
		var errs []error
		if rc.primary != nil && (len(rc.nodes) == 0 || rc.primary != rc.nodes[0]) {
			errs = append(errs, rc.primary.Close())
		}
		for _, c := range rc.nodes {
			errs = append(errs, c.Close())
		}
		return errors.Join(errs...)
	})
}

// readyWithin bounds the wait for the primary to answer.
const readyWithin = 30 * time.Second

// ready waits until the primary (as the sentinels name it, with
// sentinels) answers a PING.
func (p *respProto) ready(ctx context.Context) error {
	rc, err := p.pool.Get(0)
	if err != nil {
		return err
	}
	err = nodeproc.Poll(ctx, readyWithin, probeEvery, func(ctx context.Context) error {
		return rc.primary.Ping(ctx).Err()
	})
	if err != nil {
		return fmt.Errorf("exec: resp: the primary does not answer: %w", err)
	}
	return nil
}

func (p *respProto) client(_ context.Context, id int) (backend.Client, error) {
	rc, err := p.pool.Get(id)
	if err != nil {
		return nil, fmt.Errorf("exec: resp client: %w", err)
	}
	cl := &respClient{w: rc.primary, r: rc.primary, rName: ""}
	if p.c.d.Protocol.Sentinel == "" {
		cl.rName, cl.wName = rc.names[0], rc.names[0]
	}
	if p.c.d.Protocol.ReadFrom == ReadAny {
		k := max(id, 0) % len(rc.nodes)
		cl.r, cl.rName = rc.nodes[k], rc.names[k]
	}
	return cl, nil
}

func (p *respProto) settings() backend.ClientSettings {
	pr := &p.c.d.Protocol
	lib := "github.com/redis/go-redis/v9 (per slot, a client of each serving node with its own connection pool"
	if pr.Sentinel != "" {
		lib += ", and a failover client that asks the sentinels for the master"
	}
	t := pr.Timeout.String()
	return backend.ClientSettings{
		Conns: p.pool.Size(), Library: lib + "; no retries)", Sharing: backend.SharedSettings(p.pool.Size()),
		ReadMode: "read-from " + pr.ReadFrom + " (a Redis read is served by the node asked, from its own memory)",
		Timeouts: map[string]string{"dial": t, "read": t, "write": t},
	}
}

func (p *respProto) bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return backend.BareOver(ctx, spec, p.pool, p.newPool, func(pool *backend.Pool[*respConns], i int) (backend.KV, error) {
		rc, err := pool.Get(i)
		if err != nil {
			return nil, err
		}
		kv := respKV{w: rc.primary, r: rc.primary}
		if p.c.d.Protocol.ReadFrom == ReadAny {
			kv.r = rc.nodes[i%len(rc.nodes)]
		}
		return kv, nil
	}, func(err error) bool { return errors.Is(classifyRESP(err), backend.ErrDefinite) })
}

func (p *respProto) close() error { return p.pool.Close() }

// respKV is go-redis called directly: reads from r, writes to w.
type respKV struct{ r, w redis.Cmdable }

func (k respKV) Get(ctx context.Context, key string) (string, error) {
	v, err := k.r.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, err
}

func (k respKV) Put(ctx context.Context, key, value string) error {
	return k.w.Set(ctx, key, value, 0).Err()
}

func (k respKV) Append(ctx context.Context, key, value string) error {
	return k.w.Append(ctx, key, value).Err()
}

// respClient is a backend.Client over go-redis.
type respClient struct {
	r, w         redis.Cmdable
	rName, wName string // the nodes r and w reach, "" when the sentinels decide
	last         string
}

var (
	_ backend.Client = (*respClient)(nil)
	_ backend.Served = (*respClient)(nil)
)

// Get implements backend.Client: GET, a missing key reading as "".
func (c *respClient) Get(ctx context.Context, key string) (string, error) {
	c.last = c.rName
	v, err := respKV{r: c.r}.Get(ctx, key)
	return v, classifyRESP(err)
}

// Put implements backend.Client: SET.
func (c *respClient) Put(ctx context.Context, key, value string) error {
	c.last = c.wName
	return classifyRESP(respKV{w: c.w}.Put(ctx, key, value))
}

// Append implements backend.Client: APPEND.
func (c *respClient) Append(ctx context.Context, key, value string) error {
	c.last = c.wName
	return classifyRESP(respKV{w: c.w}.Append(ctx, key, value))
}

// LastNode implements backend.Served.
func (c *respClient) LastNode() string { return c.last }

// Close implements backend.Client; the pool's clients stay open.
func (c *respClient) Close() error { return nil }

// classifyRESP marks an error reply of the server (READONLY, LOADING,
// MASTERDOWN, ...) as definite: Redis runs a command whole or not at all,
// and answers an error only for one it did not run. Anything else (a
// timeout, a broken connection) leaves the outcome unknown.
func classifyRESP(err error) error {
	if err == nil {
		return nil
	}
	var re redis.Error
	if errors.As(err, &re) {
		return fmt.Errorf("%w: resp: %w", backend.ErrDefinite, err)
	}
	return fmt.Errorf("resp: %w", err)
}

// quiet is a go-redis logger that drops everything.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}
