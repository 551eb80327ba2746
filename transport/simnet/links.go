package simnet

import (
	"errors"
	"fmt"

	"faultline/transport"
)

// SetLink replaces the faults of the directed link from -> to, where from is
// an end's origin node (SetOrigin) and to a server name. A healthy value
// removes the link's faults.
func (n *Network) SetLink(from, to string, f transport.LinkFaults) error {
	if from == "" || to == "" {
		return errors.New("simnet: set link: empty node name")
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("simnet: set link %s->%s: %w", from, to, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if f.Healthy() {
		delete(n.links, link{from, to})
	} else {
		n.links[link{from, to}] = f
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
}
