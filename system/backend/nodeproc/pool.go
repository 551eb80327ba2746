package nodeproc

import (
	"context"
	"sync"

	"faultline/system/backend"
	"faultline/transport/tcp"
)

// Callers is one slot of a caller pool: a tcp client per node address,
// dialed on first use and shared by every clerk of the slot (the tcp
// transport multiplexes their concurrent calls on its connection). It is
// safe for concurrent use.
type Callers struct {
	cfg    tcp.Config
	mu     sync.Mutex
	byAddr map[string]*tcp.Client
	conns  Conns
}

// Dial returns the slot's client of the node name at addr, dialing it the
// first time.
func (c *Callers) Dial(name, addr string) *tcp.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.byAddr[addr]; ok {
		return cl
	}
	cl := c.conns.DialNamed(name, addr, c.cfg)
	c.byAddr[addr] = cl
	return cl
}

// Close closes the slot's clients.
func (c *Callers) Close() error { return c.conns.Close() }

// NewCallerPool returns a pool of conns slots of callers dialed with cfg:
// a backend's Clients share the slot of their id mod conns, and the
// cluster closes the pool when it stops.
func NewCallerPool(conns int, cfg tcp.Config) *backend.Pool[*Callers] {
	return backend.NewPool(conns, func(int) (*Callers, error) {
		return &Callers{cfg: cfg, byAddr: map[string]*tcp.Client{}}, nil
	}, (*Callers).Close)
}

// CallerBare is the backend.Barer of a cluster whose clients share the
// caller pool own: client i calls the KV that kv makes for it over own,
// or, when spec.Conns > 0, over a fresh pool of spec.Conns slots dialed
// with cfg (see backend.BareOver).
func CallerBare(ctx context.Context, spec backend.BareSpec, own *backend.Pool[*Callers], cfg tcp.Config,
	kv func(pool *backend.Pool[*Callers], i int) (backend.KV, error), isDefinite func(error) bool) (backend.BareResult, error) {
	fresh := func(n int) *backend.Pool[*Callers] { return NewCallerPool(n, cfg) }
	return backend.BareOver(ctx, spec, own, fresh, kv, isDefinite)
}

// CallerSettings are the client settings of a cluster whose clients share
// the caller pool pool: its size, the sharing rule, the tcp dial timeout,
// and the client library and read mode as the backend names them.
func CallerSettings(pool *backend.Pool[*Callers], library, readMode string) backend.ClientSettings {
	return backend.ClientSettings{
		Conns: pool.Size(), Library: library + " over transport/tcp", ReadMode: readMode,
		Sharing:  backend.SharedSettings(pool.Size()) + "; one tcp connection per node per slot, multiplexing the calls",
		Timeouts: map[string]string{"dial": tcp.DefaultDialTimeout.String()},
	}
}
