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
	return c.bare(ctx, spec, c.pool)
}

// bare is Bare over pool.
func (c *Cluster) bare(ctx context.Context, spec backend.BareSpec, pool *backend.Pool[*nodeproc.Callers]) (backend.BareResult, error) {
	clients := make([]backend.Client, len(spec.Scripts))
	for i := range clients {
		cl, err := c.client(pool, i)
		if err != nil {
			return backend.BareResult{}, err
		}
		clients[i] = cl
	}
	return backend.RunBare(ctx, spec, backend.ClientCalls(clients), nil)
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
