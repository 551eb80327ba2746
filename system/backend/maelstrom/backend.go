package maelstrom

import (
	"context"
	"errors"
	"fmt"

	"faultline/system/backend"
	"faultline/transport"
)

// Name is the backend's name in configs.
const Name = "maelstrom"

// Backend is the "maelstrom" backend: Maelstrom-protocol node processes
// (option bin) on a network that Network makes for each cluster.
type Backend struct {
	// Network makes the network of the cluster Start is about to start
	// for spec: the Maelstrom router (seeded with spec.Seed, reading the
	// options NetworkOptions names) with the services (lin-kv, seq-kv,
	// lww-kv, lin-tso) attached. The nodes and clients are attached by the
	// Cluster.
	Network func(spec backend.Spec) (Network, error)
	// NetworkOptions names the options Network reads; Start accepts them
	// besides its own.
	NetworkOptions []string
	// NewCaller makes the clients' endpoints (maelstrom.NewClient).
	NewCaller NewCaller
	// Links says, before any cluster starts, which link faults the
	// networks Network makes apply ((*maelstrom.Router)(nil)): the
	// Backend's LinkSupport. Without it every network fault is refused
	// before start.
	Links transport.FaultSupport
}

var (
	_ backend.Backend  = Backend{}
	_ backend.Declarer = Backend{}
)

// Name implements backend.Backend.
func (Backend) Name() string { return Name }

// Start implements backend.Backend: it checks the options, makes the
// network and starts the cluster (see Start). Nodes are processes in
// either mode; spec.Exec is not used.
func (b Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	if b.Network == nil || b.NewCaller == nil {
		return nil, errors.New("maelstrom: backend has no network or client maker")
	}
	cfg, err := config(spec, b.NetworkOptions)
	if err != nil {
		return nil, err
	}
	if cfg.Net, err = b.Network(spec); err != nil {
		return nil, fmt.Errorf("maelstrom: network: %w", err)
	}
	cfg.NewCaller = b.NewCaller
	c, err := Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Powers implements backend.Declarer: kill and pause (nodes are always
// processes), and links between two nodes or more.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := []backend.Power{backend.PowerKill, backend.PowerPause}
	if spec.Nodes >= 2 {
		p = append(p, backend.PowerLinks)
	}
	return p
}

// Nodes implements backend.Declarer: n0, n1, ... as Maelstrom names them.
func (Backend) Nodes(spec backend.Spec) []string { return backend.Numbered("n", spec.Nodes) }

// LinkSupport implements chaos.LinkDeclarer: Backend.Links, or, when it
// is not set, a declaration that refuses every link fault.
func (b Backend) LinkSupport(backend.Spec) transport.FaultSupport {
	if b.Links != nil {
		return b.Links
	}
	return undeclaredLinks{}
}

// undeclaredLinks is the link support of a Backend that did not say what
// its networks apply.
type undeclaredLinks struct{}

func (undeclaredLinks) SupportsLink(transport.LinkFaults) error {
	return fmt.Errorf("maelstrom backend: its network's link faults are not declared (Backend.Links): %w", transport.ErrFaultUnsupported)
}
