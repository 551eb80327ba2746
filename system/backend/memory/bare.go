package memory

import (
	"context"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

var (
	_ backend.Barer       = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
)

// Bare implements backend.Barer: client i is a Client of its own over
// pool slot i mod conns, called directly (it is the library: one RPC per
// op).
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	fresh := func(n int) *backend.Pool[*nodeproc.Callers] { return nodeproc.NewCallerPool(n, clientConfig(c.secret)) }
	return backend.BareOver(ctx, spec, c.pool, fresh, func(pool *backend.Pool[*nodeproc.Callers], i int) (backend.KV, error) {
		return c.client(pool, i)
	}, nil)
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	return backend.ClientSettings{
		Conns: c.pool.Size(), Library: "memkv Client over transport/tcp",
		Sharing:  backend.SharedSettings(c.pool.Size()) + "; the tcp connection multiplexes the calls",
		ReadMode: "linearizable (one node, one lock)",
		Timeouts: map[string]string{"dial": "2s"},
	}
}
