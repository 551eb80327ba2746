package shardkv

import (
	"context"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

var (
	_ backend.Barer       = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
)

// Bare implements backend.Barer: client i is a shardkv clerk of its own
// over pool slot i mod conns, called directly.
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	fresh := func(n int) *backend.Pool[*nodeproc.Callers] { return nodeproc.NewCallerPool(n, c.secret.Config()) }
	return backend.BareOver(ctx, spec, c.pool, fresh, func(pool *backend.Pool[*nodeproc.Callers], i int) (backend.KV, error) {
		ck, err := c.clerk(pool, i)
		return client{ck}, err
	}, nil)
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	return backend.ClientSettings{
		Conns: c.pool.Size(), Library: "shardkv clerk (its own session, configuration and leader memory) over transport/tcp",
		Sharing:  backend.SharedSettings(c.pool.Size()) + "; one tcp connection per server per slot, multiplexing the calls",
		ReadMode: "linearizable",
		Timeouts: map[string]string{"dial": "2s"},
	}
}
