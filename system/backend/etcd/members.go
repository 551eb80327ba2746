package etcd

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"faultline/system/backend"
)

// Members is the client side of a running etcd cluster: an admin client
// of every member (member list and status), the pool of clientv3 clients
// that the harness's Clients share (see Connections in the package doc),
// and the map from etcd's member IDs to node names. A Cluster of this
// package has one; so does a cluster of etcd binaries that another
// backend started (the exec backend's protocol etcd-v3), which so speaks
// to etcd through this package's Client, pool and bare loop.
type Members struct {
	names     []string
	endpoints []string
	admin     *clientv3.Client                // every endpoint; member list and status
	ids       map[uint64]string               // member ID to name; set by WaitReady, then read-only
	pool      *backend.Pool[*clientv3.Client] // shared by the Clients
}

var (
	_ backend.Barer        = (*Members)(nil)
	_ backend.ClientSetup  = (*Members)(nil)
	_ backend.LeaderFinder = (*Members)(nil)
)

// NewMembers returns the client side of the members called names whose
// client URLs are endpoints ("http://host:port", index for index), whose
// Clients share a pool of conns clientv3 clients. Nothing is dialled yet;
// call WaitReady before handing out Clients.
func NewMembers(names, endpoints []string, conns int) (*Members, error) {
	if len(names) != len(endpoints) || len(names) == 0 {
		return nil, fmt.Errorf("etcd: %d names for %d endpoints", len(names), len(endpoints))
	}
	admin, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: dialTimeout, Logger: zap.NewNop()})
	if err != nil {
		return nil, fmt.Errorf("etcd: admin client: %w", err)
	}
	m := &Members{names: names, endpoints: endpoints, admin: admin}
	m.pool = m.newPool(conns)
	return m, nil
}

// WaitReady polls until the member list can be read (which needs a
// quorum) and some member names a leader, ctx ends, or readyTimeout.
func (m *Members) WaitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		if m.ids == nil {
			lctx, lcancel := context.WithTimeout(ctx, time.Second)
			resp, err := m.admin.MemberList(lctx)
			lcancel()
			if err == nil && len(resp.Members) == len(m.names) {
				ids := make(map[uint64]string, len(resp.Members))
				for _, mem := range resp.Members {
					ids[mem.ID] = mem.Name
				}
				m.ids = ids
			}
		}
		if m.ids != nil {
			if l, _ := m.Leader(ctx); l != "" {
				return nil
			}
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("etcd: waiting for a leader: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// MemberIDs maps etcd's member IDs to node names (known once WaitReady
// returned). etcd's peer requests carry the sender's ID (the
// X-Server-From header and the last element of stream paths), which a
// proxy can use to tell the source of a connection.
func (m *Members) MemberIDs() map[uint64]string {
	ids := make(map[uint64]string, len(m.ids))
	for id, n := range m.ids {
		ids[id] = n
	}
	return ids
}

// Client returns a client of worker id that shares the clientv3 client
// (and its gRPC connections) of pool slot id mod conns with the other
// workers of that slot. Closing it leaves the shared client open; Close
// closes the pool.
func (m *Members) Client(_ context.Context, id int) (backend.Client, error) {
	cli, err := m.pool.Get(id)
	if err != nil {
		return nil, fmt.Errorf("etcd: client: %w", err)
	}
	return &Client{cli: cli, ids: m.ids, shared: true}, nil
}

// newPool returns a pool of n clientv3 clients, slot k with every member
// as an endpoint, starting from member k mod members so that the slots
// spread their first connections.
func (m *Members) newPool(n int) *backend.Pool[*clientv3.Client] {
	return backend.NewPool(n, func(k int) (*clientv3.Client, error) {
		eps := append([]string(nil), m.endpoints...)
		k %= len(eps)
		eps = append(eps[k:], eps[:k]...)
		return clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: dialTimeout, Logger: zap.NewNop()})
	}, (*clientv3.Client).Close)
}

// ClientSettings implements backend.ClientSetup.
func (m *Members) ClientSettings() backend.ClientSettings {
	return backend.ClientSettings{
		Conns: m.pool.Size(), Library: "go.etcd.io/etcd/client/v3 (per clientv3 client, one gRPC client connection: an HTTP/2 connection to each member, requests round-robin)",
		Sharing:  backend.SharedSettings(m.pool.Size()),
		ReadMode: "linearizable (ReadIndex on the serving member)",
		Timeouts: map[string]string{"dial": dialTimeout.String()},
	}
}

// Close closes the pool and the admin client.
func (m *Members) Close() error {
	return errors.Join(m.pool.Close(), m.admin.Close())
}
