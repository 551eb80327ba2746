package simnet

import (
	"math/rand/v2"
	"sync"
	"time"
)

// lockedRand is the network's single seeded random source, safe for
// concurrent use.
type lockedRand struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newLockedRand(seed int64) *lockedRand {
	s := uint64(seed)
	return &lockedRand{rng: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))}
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

// duration returns a uniform duration in [0, d), or 0 when d <= 0.
func (r *lockedRand) duration(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	r.mu.Lock()
	v := r.rng.Int64N(int64(d))
	r.mu.Unlock()
	return time.Duration(v)
}

// millis returns a uniform duration of [0, n) whole milliseconds.
func (r *lockedRand) millis(n int) time.Duration {
	return time.Duration(r.intn(n)) * time.Millisecond
}
