package raftkv

import (
	"context"
	"errors"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/kvraft"
)

var (
	_ backend.Barer       = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
)

// Bare implements backend.Barer: client i is a kvraft clerk of its own
// over pool slot i mod conns, called directly.
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	fresh := func(n int) *backend.Pool[*nodeproc.Callers] { return nodeproc.NewCallerPool(n, c.secret.Config()) }
	return backend.BareOver(ctx, spec, c.pool, fresh, func(pool *backend.Pool[*nodeproc.Callers], i int) (backend.KV, error) {
		return c.clerk(pool, i)
	}, func(err error) bool { return errors.Is(err, kvraft.ErrNotApplied) })
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	mode := "linearizable (ReadIndex on the leader, no log write)"
	if c.cfgs[0].Reads == ReadsUnsafeLocal {
		mode = "unsafe-local (any server's state, NOT linearizable)"
	}
	return backend.ClientSettings{
		Conns: c.pool.Size(), Library: "kvraft clerk (its own session and leader memory) over transport/tcp",
		Sharing:  backend.SharedSettings(c.pool.Size()) + "; one tcp connection per node per slot, multiplexing the calls",
		ReadMode: mode,
		Timeouts: map[string]string{"attempt": "1s", "dial": "2s"},
	}
}
