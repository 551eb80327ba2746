package etcd

import (
	"context"
	"errors"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"faultline/system/backend"
)

var (
	_ backend.Barer       = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
)

// Bare implements backend.Barer: client i calls clientv3's Get and Put
// directly on the pool's client of slot i mod conns, as the Clients share
// them. Append, which etcd lacks, is Client.Append's read and
// transaction.
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return c.bare(ctx, spec, c.pool)
}

// bare is Bare over pool.
func (c *Cluster) bare(ctx context.Context, spec backend.BareSpec, pool *backend.Pool[*clientv3.Client]) (backend.BareResult, error) {
	calls := make([]backend.BareCall, len(spec.Scripts))
	for i := range calls {
		cli, err := pool.Get(i)
		if err != nil {
			return backend.BareResult{}, fmt.Errorf("etcd: bare: %w", err)
		}
		app := &Client{cli: cli, ids: c.ids, shared: true}
		calls[i] = func(ctx context.Context, kind backend.BareKind, key, value string) error {
			switch kind {
			case backend.BareGet:
				_, err := cli.Get(ctx, key)
				return err
			case backend.BarePut:
				_, err := cli.Put(ctx, key, value)
				return err
			default:
				return app.Append(ctx, key, value)
			}
		}
	}
	return backend.RunBare(ctx, spec, calls, func(err error) bool { return errors.Is(classify(err), backend.ErrDefinite) })
}
