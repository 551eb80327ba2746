package maelstrom

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"faultline/transport"
)

var (
	_ transport.LinkFaulter  = (*Router)(nil)
	_ transport.FaultSupport = (*Router)(nil)
)

// link is a directed link between two endpoint ids.
type link struct{ from, to string }

// linkState is one faulty link: its faults and their memory (the loss
// chain of Burst and the bandwidth queue).
type linkState struct {
	f     transport.LinkFaults
	chain transport.LossChain
	pacer transport.Pacer
}

// SupportsLink implements transport.FaultSupport: the router applies
// every field of f, message by message, except Conn (and SlowClose): its
// messages travel on no connections. It reads nothing of r, so a nil
// *Router declares what every router applies before any starts.
func (r *Router) SupportsLink(f transport.LinkFaults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Conn != transport.ConnNone {
		return fmt.Errorf("maelstrom router: connection fault %q: messages travel on no connections: %w", f.Conn, transport.ErrFaultUnsupported)
	}
	return nil
}

// SetLink implements transport.LinkFaulter: it replaces the faults of the
// directed link from -> to (endpoint ids; either may be attached later).
// A healthy value removes them. A link's loss chain and bandwidth queue
// carry over while it stays faulty.
func (r *Router) SetLink(from, to string, f transport.LinkFaults) error {
	if from == "" || to == "" {
		return errors.New("maelstrom router: set link: empty endpoint id")
	}
	if err := r.SupportsLink(f); err != nil {
		return fmt.Errorf("maelstrom router: set link %s->%s: %w", from, to, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := link{from, to}
	if f.Healthy() {
		delete(r.links, k)
		return nil
	}
	ls := r.links[k]
	if ls == nil {
		ls = &linkState{}
		r.links[k] = ls
	}
	ls.f = f
	return nil
}

// Link implements transport.LinkFaulter: the faults on from -> to.
func (r *Router) Link(from, to string) transport.LinkFaults {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ls := r.links[link{from, to}]; ls != nil {
		return ls.f
	}
	return transport.LinkFaults{}
}

// HealAll implements transport.LinkFaulter: it removes every link fault.
// Messages already on their way keep the fate they were given.
func (r *Router) HealAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.links)
}

// fate is what a link does to one message: drop it, or deliver it after
// delay, and maybe deliver a second copy after dupDelay.
type fate struct {
	drop     DropCause
	delay    time.Duration
	dup      bool
	dupDelay time.Duration
}

// decide draws the fate of a message of size bytes sent at now on ls
// (nil for a healthy link), in LinkFaults' order: Blocked, then loss,
// then bandwidth and delay; a copy that survives may be duplicated, the
// duplicate taking its own turn on the link. r.mu is held.
func (r *Router) decide(ls *linkState, now time.Time, size int) fate {
	if ls == nil {
		return fate{}
	}
	f := &ls.f
	if f.Blocked {
		return fate{drop: DropPartition}
	}
	if ls.chain.Lost(f, r.rng) {
		return fate{drop: DropLoss}
	}
	out := fate{delay: ls.pacer.Admit(now, size, f.Bandwidth) + f.Transit(r.rng)}
	if chance(r.rng, f.Duplicate) {
		out.dup = true
		out.dupDelay = ls.pacer.Admit(now, size, f.Bandwidth) + f.Transit(r.rng)
	}
	return out
}

// chance reports true with probability p, drawing from rng only when
// 0 < p < 1 (transport's draws do the same; transport keeps its own
// unexported).
func chance(rng *rand.Rand, p float64) bool {
	return p > 0 && (p >= 1 || rng.Float64() < p)
}
