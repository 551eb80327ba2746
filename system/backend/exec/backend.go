package exec

import (
	"context"
	"errors"

	"faultline/system/backend"
	"faultline/system/maelstrom"
	"faultline/transport"
	"faultline/transport/proxy"
)

// Name is the backend's name in configs.
const Name = "exec"

// Backend is the "exec" backend: server processes described by a cluster
// description file (option cluster). The zero value is ready to use.
type Backend struct{}

var (
	_ backend.Backend  = Backend{}
	_ backend.Declarer = Backend{}
	_ backend.Checker  = Backend{}
)

// Name implements backend.Backend.
func (Backend) Name() string { return Name }

// Start implements backend.Backend (see the package doc). Nodes are
// processes whatever spec.Mode says; spec.Exec is not used.
func (Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	if spec.Dir == "" {
		return nil, errors.New("exec: backend spec: Dir is empty")
	}
	d, o, err := prepare(spec)
	if err != nil {
		return nil, err
	}
	if d.Protocol.Name == ProtoMaelstrom {
		return startMaelstrom(ctx, spec, d)
	}
	c, err := start(ctx, spec, d, o)
	if err != nil {
		return nil, err
	}
	if d.Protocol.Name == ProtoEtcd {
		return EtcdCluster{c}, nil
	}
	return c, nil
}

// Powers implements backend.Declarer: kill and pause (nodes are always
// processes), links between two nodes or more (the proxies), a bare loop
// for the key/value protocols, and a leader for etcd-v3. A description
// that cannot be read declares kill and pause only (Check refuses it).
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := []backend.Power{backend.PowerKill, backend.PowerPause}
	d, _, err := prepare(spec)
	if err != nil {
		return p
	}
	if d.Nodes() >= 2 {
		p = append(p, backend.PowerLinks)
	}
	switch d.Protocol.Name {
	case ProtoRESP:
		p = append(p, backend.PowerBare)
	case ProtoEtcd:
		p = append(p, backend.PowerBare, backend.PowerLeader)
	}
	return p
}

// Nodes implements backend.Declarer: n0, n1, ... in the order of the
// description's roles.
func (Backend) Nodes(spec backend.Spec) []string { return backend.Numbered("n", spec.Nodes) }

// LinkSupport implements chaos.LinkDeclarer: the proxies' Mesh applies
// every link fault but duplication; with protocol maelstrom-lin-kv, the
// Maelstrom router applies every one but connection faults.
func (Backend) LinkSupport(spec backend.Spec) transport.FaultSupport {
	if d, _, err := prepare(spec); err == nil && d.Protocol.Name == ProtoMaelstrom {
		return (*maelstrom.Router)(nil)
	}
	return (*proxy.Mesh)(nil)
}

// RunNode is the backend's entry point for `bench node exec`, which it
// refuses: an exec node is the program its description names, never the
// bench binary.
func RunNode(context.Context, []string) error {
	return errors.New("exec: its nodes are the programs of its cluster description; bench runs no exec node of its own")
}
