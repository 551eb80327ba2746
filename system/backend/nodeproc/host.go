package nodeproc

import (
	"errors"
	"log/slog"
	"sync/atomic"

	"faultline/transport"
	"faultline/transport/tcp"
)

// Host is the transport side of one node: the tcp clients it dials, which
// share one link-fault table (Faults), one Meter and the cluster's secret,
// and the listener that serves the node's services with the Faults and
// Stats services beside them, so that the harness can reach into the node.
// It is the one place a node builds its tcp.Config: the listener and every
// client (peers, fault control) authenticate with the same secret.
type Host struct {
	// Faults is the node's link-fault table, served as service "Faults".
	Faults *tcp.Faults
	// Meter counts the calls of the node's clients, served as "Stats".
	Meter *tcp.Meter

	cfg   tcp.Config
	conns Conns
	ln    atomic.Pointer[tcp.Listener]
}

// NewHost returns the host of the node called node (its name at the near
// end of its links), whose fault table draws from seed, authenticating
// with the secret in the file secretFile (LoadSecret; "" for none). Its
// transport tags what it logs with node=NODE: give it a logger that does
// not carry that attribute already.
func NewHost(node string, seed int64, secretFile string, logger *slog.Logger) (*Host, error) {
	secret, err := LoadSecret(secretFile)
	if err != nil {
		return nil, err
	}
	h := &Host{Faults: tcp.NewFaults(seed), Meter: &tcp.Meter{}}
	h.cfg = tcp.Config{Node: node, Logger: logger, Faults: h.Faults, Meter: h.Meter, Secret: secret}
	return h, nil
}

// Dial returns a client to addr, naming the link's far end by its address.
func (h *Host) Dial(addr string) *tcp.Client { return h.conns.Dial(addr, h.cfg) }

// DialNamed returns a client to addr, naming the link's far end name.
func (h *Host) DialNamed(name, addr string) *tcp.Client {
	return h.conns.DialNamed(name, addr, h.cfg)
}

// Serve registers the Faults and Stats services on srv and serves it on
// addr until Close.
func (h *Host) Serve(addr string, srv *transport.Server) error {
	err := errors.Join(srv.RegisterName("Faults", &FaultService{Table: h.Faults}),
		srv.RegisterName("Stats", &StatsService{Meter: h.Meter, Listener: h.listenerStats}))
	if err != nil {
		return err
	}
	ln, err := tcp.Listen(addr, srv, h.cfg)
	if err != nil {
		return err
	}
	h.ln.Store(ln)
	return nil
}

// listenerStats returns the listener's counts (zero before Serve).
func (h *Host) listenerStats() tcp.ListenerStats {
	if ln := h.ln.Load(); ln != nil {
		return ln.Stats()
	}
	return tcp.ListenerStats{}
}

// Close closes the listener, then every client the host dialed.
func (h *Host) Close() error {
	var err error
	if ln := h.ln.Load(); ln != nil {
		err = ln.Close()
	}
	return errors.Join(err, h.conns.Close())
}
