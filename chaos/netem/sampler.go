package netem

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Sampler decides the fate of messages on faulty links from one seeded
// source. It keeps the Gilbert-Elliott state of every link it has seen, so
// losses on a link come in bursts when its Burst asks for it. It is safe for
// concurrent use.
type Sampler struct {
	mu  sync.Mutex
	rng *rand.Rand
	bad map[[2]string]bool // links whose loss chain is in the bad state
}

// NewSampler returns a Sampler drawing from seed.
func NewSampler(seed int64) *Sampler {
	return &Sampler{rng: rand.New(rand.NewPCG(uint64(seed), 0x6a09e667f3bcc909)), bad: map[[2]string]bool{}}
}

// Fate is what happens to one message.
type Fate struct {
	// Lost says the message is dropped.
	Lost bool
	// Delay is how long the message is held before delivery.
	Delay time.Duration
	// Duplicate says the message is delivered a second time, after
	// DupDelay.
	Duplicate bool
	// DupDelay is the hold of the duplicate.
	DupDelay time.Duration
}

// Decide draws the fate of one message on from -> to under l.
func (s *Sampler) Decide(from, to string, l Link) Fate {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Blocked || s.lost([2]string{from, to}, l) {
		return Fate{Lost: true}
	}
	f := Fate{Delay: s.transit(l)}
	if s.chance(l.Duplicate) {
		f.Duplicate, f.DupDelay = true, s.transit(l)
	}
	return f
}

// Delay draws one message's transit time under l (delay, jitter in its
// distribution, and a possible reordering hold-back).
func (s *Sampler) Delay(l Link) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transit(l)
}

// Lost steps the loss chain of from -> to under l and reports whether the
// next message is lost.
func (s *Sampler) Lost(from, to string, l Link) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost([2]string{from, to}, l)
}

// lost steps a link's Gilbert-Elliott chain: in the good state nothing is
// lost, in the bad state everything is; the bad state lasts Burst messages
// on average and is entered often enough for the long-run loss to be Loss.
// Without a Burst above 1 losses are independent. s.mu is held.
func (s *Sampler) lost(k [2]string, l Link) bool {
	if l.Loss <= 0 {
		delete(s.bad, k)
		return false
	}
	if l.Burst <= 1 || l.Loss >= 1 {
		return s.chance(l.Loss)
	}
	r := 1 / l.Burst               // bad -> good
	p := l.Loss * r / (1 - l.Loss) // good -> bad, so that p/(p+r) = Loss
	bad, seen := s.bad[k]
	if !seen {
		bad = s.chance(l.Loss) // start in the stationary distribution
	}
	if bad {
		bad = !s.chance(r)
	} else {
		bad = s.chance(p)
	}
	s.bad[k] = bad
	return bad
}

// transit draws one transit time. s.mu is held.
func (s *Sampler) transit(l Link) time.Duration {
	d := float64(l.Delay)
	j := float64(l.Jitter)
	if j > 0 {
		switch l.Distribution {
		case Normal:
			d += j * s.rng.NormFloat64()
		case Pareto:
			// A Lomax (shifted Pareto) tail of shape 3 and mean j,
			// starting at Delay-Jitter: the mean stays Delay.
			const alpha = 3.0
			u := 1 - s.rng.Float64() // (0, 1]
			d += -j + 2*j*(math.Pow(u, -1/alpha)-1)
		default:
			d += j * (2*s.rng.Float64() - 1)
		}
	}
	if s.chance(l.Reorder) {
		hold := l.ReorderDelay
		if hold == 0 {
			hold = 100 * time.Millisecond
		}
		d += float64(hold) * s.rng.Float64()
	}
	if d < 0 {
		d = 0
	}
	return time.Duration(d)
}

// chance reports true with probability p. s.mu is held.
func (s *Sampler) chance(p float64) bool {
	return p > 0 && (p >= 1 || s.rng.Float64() < p)
}
