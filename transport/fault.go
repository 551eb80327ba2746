package transport

import (
	"fmt"
	"time"
)

// LinkFaults describes the faults applied to every message sent over one
// directed link, from node A to node B. The zero value is a healthy link.
//
// Requests travel A->B and replies B->A, so a reply is subject to the faults
// of the reverse link.
type LinkFaults struct {
	// Delay is added to every message on the link.
	Delay time.Duration
	// Jitter adds a uniformly random extra delay in [0, Jitter).
	Jitter time.Duration
	// Drop is the probability in [0, 1] that a message is lost.
	Drop float64
	// Duplicate is the probability in [0, 1] that a request is delivered twice
	// (the server executes it twice; the caller sees one reply).
	Duplicate float64
	// Reorder is the probability in [0, 1] that a message is held back by an
	// extra random delay of up to ReorderDelay, so that later messages overtake
	// it.
	Reorder float64
	// ReorderDelay bounds the extra hold-back of a reordered message; zero
	// means 100ms.
	ReorderDelay time.Duration
	// Blocked drops every message on the link (a one-way partition).
	Blocked bool
}

// Healthy reports whether f applies no fault at all.
func (f LinkFaults) Healthy() bool { return f == LinkFaults{} }

// Validate checks that every probability lies in [0, 1] and no duration is
// negative.
func (f LinkFaults) Validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"Drop", f.Drop}, {"Duplicate", f.Duplicate}, {"Reorder", f.Reorder}} {
		if p.v < 0 || p.v > 1 || p.v != p.v {
			return fmt.Errorf("link faults: %s = %v, want a probability in [0, 1]", p.name, p.v)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Delay", f.Delay}, {"Jitter", f.Jitter}, {"ReorderDelay", f.ReorderDelay}} {
		if d.v < 0 {
			return fmt.Errorf("link faults: %s = %v, want >= 0", d.name, d.v)
		}
	}
	return nil
}

// LinkFaulter is the fault-injection seam implemented by every transport.
// Node names are the names the transport knows its endpoints by (simnet
// server names, or tcp node names).
type LinkFaulter interface {
	// SetLink replaces the faults of the directed link from -> to.
	SetLink(from, to string, f LinkFaults) error
	// Link returns the faults currently on from -> to.
	Link(from, to string) LinkFaults
	// HealAll removes every link fault.
	HealAll()
}
