package maelstrom

import (
	"context"
	"errors"
	"io"

	"faultline/system/backend"
	"faultline/system/maelstrom"
	"faultline/transport"
)

// Name is the backend's name in configs.
const Name = "maelstrom"

// Backend is the "maelstrom" backend: Maelstrom-protocol node processes
// (option bin) on Faultline's Maelstrom router, seeded with the spec's
// seed, with the services lin-kv, seq-kv, lww-kv and lin-tso attached.
// Its options are listed in options.go. The zero Backend is ready to use.
type Backend struct {
	// Stderr receives what options log-stderr, log-net-send and
	// log-net-recv copy to the harness's terminal; nil is os.Stderr.
	Stderr io.Writer
}

var (
	_ backend.Backend  = Backend{}
	_ backend.Declarer = Backend{}
)

// Name implements backend.Backend.
func (Backend) Name() string { return Name }

// Start implements backend.Backend: it checks the options and starts the
// cluster (see Start). Nodes are processes in either mode; spec.Exec is
// not used.
func (b Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	cfg, err := config(spec)
	if err != nil {
		return nil, err
	}
	cfg.Stderr, cfg.Network.NetLog = b.Stderr, b.Stderr
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

// LinkSupport implements chaos.LinkDeclarer: the router's, which applies
// every link fault but connection faults (maelstrom.Router.SupportsLink).
func (Backend) LinkSupport(backend.Spec) transport.FaultSupport { return (*maelstrom.Router)(nil) }

// RunNode is the backend's entry point for `bench node maelstrom`, which
// it refuses: a Maelstrom node is the program of option bin, never the
// bench binary.
func RunNode(context.Context, []string) error {
	return errors.New("maelstrom: its nodes are the program of option bin; bench runs no maelstrom node of its own")
}
