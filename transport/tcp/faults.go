package tcp

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"faultline/transport"
)

// Faults is a table of link faults, keyed by directed link (from node ->
// to node), with its own seeded random source for the drops, jitter and
// duplicates it decides. Clients consult it for every request and reply; the
// chaos controller edits it through transport.LinkFaulter. Share one Faults
// between the clients of a test to drive all their links from one place. It is
// safe for concurrent use.
type Faults struct {
	// active counts unhealthy links, so that a healthy table costs one
	// atomic load per message.
	active atomic.Int64

	mu    sync.RWMutex
	links map[link]transport.LinkFaults // only unhealthy links

	rngMu sync.Mutex
	rng   *rand.Rand
}

var _ transport.LinkFaulter = (*Faults)(nil)

// link is a directed link between two node names.
type link struct{ from, to string }

// NewFaults returns an empty (healthy) table whose random decisions come from
// seed.
func NewFaults(seed int64) *Faults {
	return &Faults{
		links: map[link]transport.LinkFaults{},
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
	}
}

// SetLink replaces the faults on from -> to; healthy faults remove them.
func (f *Faults) SetLink(from, to string, lf transport.LinkFaults) error {
	if err := lf.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if lf.Healthy() {
		delete(f.links, link{from, to})
	} else {
		f.links[link{from, to}] = lf
	}
	f.active.Store(int64(len(f.links)))
	return nil
}

// Link returns the faults currently on from -> to.
func (f *Faults) Link(from, to string) transport.LinkFaults {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.links[link{from, to}]
}

// HealAll removes every link fault.
func (f *Faults) HealAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.links)
	f.active.Store(0)
}

// maxLostWait bounds how long a call whose request or reply was lost waits
// before failing with transport.ErrUnreachable, as the course's labrpc fails
// lost calls after a short random delay.
const maxLostWait = 100 * time.Millisecond

// verdict is what happens to one message on a faulty link.
type verdict struct {
	blocked bool          // the link is partitioned: the message is lost
	drop    bool          // the message is lost
	delay   time.Duration // a lost message's call fails after this; others are held back this long
	dup     bool          // a request is also delivered a second time...
	dupWait time.Duration // ...after this delay
}

// judge decides the fate of one message on from -> to. ok is false when the
// link is healthy (and the verdict zero). Only requests are duplicated.
func (f *Faults) judge(from, to string, request bool) (v verdict, ok bool) {
	if f == nil || f.active.Load() == 0 {
		return verdict{}, false
	}
	f.mu.RLock()
	lf, ok := f.links[link{from, to}]
	f.mu.RUnlock()
	if !ok {
		return verdict{}, false
	}
	f.rngMu.Lock()
	defer f.rngMu.Unlock()
	if lf.Blocked {
		return verdict{blocked: true, delay: f.duration(maxLostWait)}, true
	}
	if f.chance(lf.Drop) {
		return verdict{drop: true, delay: f.duration(maxLostWait)}, true
	}
	v.delay = f.transit(&lf)
	if request && f.chance(lf.Duplicate) {
		v.dup = true
		v.dupWait = f.transit(&lf)
	}
	return v, true
}

// transit returns one message's time on a link: delay, jitter and a
// possible reordering hold-back. f.rngMu is held.
func (f *Faults) transit(lf *transport.LinkFaults) time.Duration {
	d := lf.Delay + f.duration(lf.Jitter)
	if f.chance(lf.Reorder) {
		hold := lf.ReorderDelay
		if hold == 0 {
			hold = 100 * time.Millisecond
		}
		d += f.duration(hold)
	}
	return d
}

// chance reports true with probability p. f.rngMu is held.
func (f *Faults) chance(p float64) bool {
	return p > 0 && (p >= 1 || f.rng.Float64() < p)
}

// duration returns a uniform duration in [0, max). f.rngMu is held.
func (f *Faults) duration(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(f.rng.Int64N(int64(max)))
}
