package simnet

import (
	"errors"
	"fmt"

	"faultline/transport"
)

var _ transport.FaultSupport = (*Network)(nil)

// SupportsLink implements transport.FaultSupport: a Network applies every
// field of f except Conn (and SlowClose), since a simulated network has no
// connections to break.
func (n *Network) SupportsLink(f transport.LinkFaults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Conn != transport.ConnNone {
		return fmt.Errorf("simnet: connection fault %q: a simulated network has no connections: %w", f.Conn, transport.ErrFaultUnsupported)
	}
	return nil
}

// SetLink replaces the faults of the directed link from -> to, where from is
// an end's origin node (SetOrigin) and to a server name. A healthy value
// removes the link's faults. Connection faults are refused (SupportsLink).
// A link's loss chain (Burst) and bandwidth queue carry over while it stays
// faulty.
func (n *Network) SetLink(from, to string, f transport.LinkFaults) error {
	if from == "" || to == "" {
		return errors.New("simnet: set link: empty node name")
	}
	if err := n.SupportsLink(f); err != nil {
		return fmt.Errorf("simnet: set link %s->%s: %w", from, to, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	k := link{from, to}
	if f.Healthy() {
		delete(n.links, k)
		n.rng.forget(k)
	} else {
		n.links[k] = f
	}
	return nil
}

// Link returns the faults currently on the directed link from -> to.
func (n *Network) Link(from, to string) transport.LinkFaults {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.links[link{from, to}]
}

// HealAll removes every link fault. It leaves the labrpc switches (Reliable,
// LongReordering, LongDelays) and disabled ends as they are.
func (n *Network) HealAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.links)
	n.rng.forgetAll()
}
