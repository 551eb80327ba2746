package exec

import (
	"context"

	"faultline/system/backend"
	"faultline/system/backend/etcd"
)

// etcdProto speaks etcd's v3 API through the etcd backend's client side
// (etcd.Members): the same Client, pool and bare loop.
type etcdProto struct{ m *etcd.Members }

func newEtcd(c *Cluster, o options) (protocol, error) {
	var names, eps []string
	for _, nd := range c.serving() {
		names = append(names, nd.name)
		eps = append(eps, "http://"+nd.client)
	}
	m, err := etcd.NewMembers(names, eps, o.conns)
	if err != nil {
		return nil, err
	}
	return etcdProto{m: m}, nil
}

func (p etcdProto) ready(ctx context.Context) error { return p.m.WaitReady(ctx) }

func (p etcdProto) client(ctx context.Context, id int) (backend.Client, error) {
	return p.m.Client(ctx, id)
}

func (p etcdProto) settings() backend.ClientSettings { return p.m.ClientSettings() }

func (p etcdProto) bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return p.m.Bare(ctx, spec)
}

func (p etcdProto) close() error { return p.m.Close() }

// EtcdCluster is the Cluster of protocol etcd-v3, which also knows its
// leader.
type EtcdCluster struct{ *Cluster }

var _ backend.LeaderFinder = EtcdCluster{}

// Leader implements backend.LeaderFinder: the member the members report
// as leader in the highest term (etcd.Members.Leader).
func (c EtcdCluster) Leader(ctx context.Context) (string, error) {
	return c.proto.(etcdProto).m.Leader(ctx)
}
