package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	"faultline/system/backend"
	"faultline/system/backend/etcd"
	"faultline/transport"
	"faultline/transport/proxy"
)

// init registers the etcd backend. It lives in its own file so that the
// etcd dependency is wired in one place; registry.go needs no edit.
func init() {
	registry[etcd.Name] = entry{backend: etcdBackend{}, runNode: etcd.RunNode, nodes: 3,
		desc: "real etcd v3.6 (embedded members, clientv3; Append is a compare-and-swap loop); option peer-proxy: true for network faults"}
}

// etcdBackend starts etcd, with its peer traffic through a chaos/proxy
// Mesh when the backend option "peer-proxy" is "true": every member's
// advertised peer address is an etcd.Front that hands each connection to
// the Mesh proxy of its directed link, so network faults are per link.
type etcdBackend struct{}

// Name returns "etcd".
func (etcdBackend) Name() string { return etcd.Name }

// Start implements backend.Backend.
func (etcdBackend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	proxied := false
	if v, ok := spec.Options["peer-proxy"]; ok {
		switch v {
		case "true":
			proxied = true
		case "false":
		default:
			return nil, fmt.Errorf("etcd: option peer-proxy = %q, want true or false", v)
		}
		spec.Options = maps.Clone(spec.Options)
		delete(spec.Options, "peer-proxy")
	}
	if !proxied {
		return etcd.Backend{}.Start(ctx, spec)
	}
	mesh := proxy.NewMesh(spec.Seed)
	b := etcd.Backend{PeerProxy: func(_ context.Context, links []etcd.PeerLink) (io.Closer, error) {
		listen := map[string]string{}
		for _, l := range links {
			listen[l.Node] = l.Listen
		}
		for _, from := range links {
			for _, to := range links {
				if from.Node == to.Node {
					continue
				}
				if _, err := mesh.Add(from.Node, to.Node, to.Listen); err != nil {
					return nil, err
				}
			}
		}
		fronts, err := etcd.ServeFronts(links, func(from, to string) string {
			if from == "" {
				return listen[to] // no sender: version checks, lease forwarding
			}
			return mesh.Addr(from, to)
		})
		if err != nil {
			return nil, err
		}
		return closers{fronts, mesh}, nil
	}}
	c, err := b.Start(ctx, spec)
	if err != nil {
		mesh.Close()
		return nil, err
	}
	return proxiedEtcd{Cluster: c.(*etcd.Cluster), mesh: mesh}, nil
}

// proxiedEtcd is an etcd cluster whose peer links run through a Mesh,
// which it offers to the chaos controller (chaos.FaultSeam).
type proxiedEtcd struct {
	*etcd.Cluster
	mesh *proxy.Mesh
}

// Faults returns the Mesh carrying the members' peer traffic.
func (p proxiedEtcd) Faults() transport.LinkFaulter { return p.mesh }

// closers closes each in order.
type closers []io.Closer

// Close closes every closer and joins their errors.
func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
