package simnet

import (
	"math/rand/v2"
	"sync"
	"time"

	"faultline/transport"
)

// lockedRand is the network's single seeded random source, safe for
// concurrent use. It also keeps the memory of the faulty links (their loss
// chains and bandwidth queues), which its draws step.
type lockedRand struct {
	mu    sync.Mutex
	rng   *rand.Rand
	state map[link]*linkState
}

// linkState is the memory of one faulty link.
type linkState struct {
	chain transport.LossChain
	pacer transport.Pacer
}

func newLockedRand(seed int64) *lockedRand {
	s := uint64(seed)
	return &lockedRand{rng: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15)), state: map[link]*linkState{}}
}

// linkLocked returns k's state, made on first use; r.mu is held.
func (r *lockedRand) linkLocked(k link) *linkState {
	st := r.state[k]
	if st == nil {
		st = &linkState{}
		r.state[k] = st
	}
	return st
}

// lost steps k's loss chain under f and reports whether the message is
// lost.
func (r *lockedRand) lost(k link, f *transport.LinkFaults) bool {
	if f.Drop <= 0 {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.linkLocked(k).chain.Lost(f, r.rng)
}

// transit returns the time a message of size bytes spends on k under f:
// its wait for the link's bandwidth, then its delay.
func (r *lockedRand) transit(k link, f *transport.LinkFaults, size int) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var wait time.Duration
	if f.Bandwidth > 0 {
		wait = r.linkLocked(k).pacer.Admit(time.Now(), size, f.Bandwidth)
	}
	return wait + f.Transit(r.rng)
}

// forget drops k's memory (the link became healthy).
func (r *lockedRand) forget(k link) {
	r.mu.Lock()
	delete(r.state, k)
	r.mu.Unlock()
}

// forgetAll drops every link's memory.
func (r *lockedRand) forgetAll() {
	r.mu.Lock()
	clear(r.state)
	r.mu.Unlock()
}

// intn returns a uniform int in [0, n); n must be > 0.
func (r *lockedRand) intn(n int) int {
	r.mu.Lock()
	v := r.rng.IntN(n)
	r.mu.Unlock()
	return v
}

// chance reports true with probability p, drawing nothing when p is 0 or 1.
func (r *lockedRand) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	r.mu.Lock()
	v := r.rng.Float64()
	r.mu.Unlock()
	return v < p
}

// millis returns a uniform duration of [0, n) whole milliseconds.
func (r *lockedRand) millis(n int) time.Duration {
	return time.Duration(r.intn(n)) * time.Millisecond
}
