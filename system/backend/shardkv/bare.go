package shardkv

import (
	"context"

	"faultline/system/backend"
)

var (
	_ backend.Barer       = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
)

// Bare implements backend.Barer: client i is a shardkv clerk of its own
// over pool slot i mod conns, called directly.
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	calls := make([]backend.BareCall, len(spec.Scripts))
	for i := range calls {
		ck, err := c.clerk(i)
		if err != nil {
			return backend.BareResult{}, err
		}
		calls[i] = func(ctx context.Context, kind backend.BareKind, key, value string) error {
			switch kind {
			case backend.BareGet:
				_, err := ck.GetContext(ctx, key)
				return err
			case backend.BarePut:
				return ck.PutContext(ctx, key, value)
			default:
				return ck.AppendContext(ctx, key, value)
			}
		}
	}
	return backend.RunBare(ctx, spec, calls, nil)
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
