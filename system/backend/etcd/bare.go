package etcd

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"

	"faultline/system/backend"
)

// Bare implements backend.Barer: client i calls clientv3's Get and Put
// directly on the pool's client of slot i mod conns, as the Clients share
// them. Append, which etcd lacks, is Client.Append's read and
// transaction.
func (m *Members) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return backend.BareOver(ctx, spec, m.pool, m.newPool, func(pool *backend.Pool[*clientv3.Client], i int) (backend.KV, error) {
		cli, err := pool.Get(i)
		if err != nil {
			return nil, err
		}
		return bareKV{cli: cli, app: &Client{cli: cli, ids: m.ids, shared: true}}, nil
	}, func(err error) bool { return errors.Is(classify(err), backend.ErrDefinite) })
}

// bareKV is clientv3 called directly, but for Append.
type bareKV struct {
	cli *clientv3.Client
	app *Client
}

func (b bareKV) Get(ctx context.Context, key string) (string, error) {
	_, err := b.cli.Get(ctx, key)
	return "", err
}

func (b bareKV) Put(ctx context.Context, key, value string) error {
	_, err := b.cli.Put(ctx, key, value)
	return err
}

func (b bareKV) Append(ctx context.Context, key, value string) error {
	return b.app.Append(ctx, key, value)
}
