package transport

import (
	"math"
	"math/rand/v2"
	"time"
)

// This file holds the draws that turn a LinkFaults into one message's fate,
// shared by the transports that apply link faults. None of them locks: the
// caller serialises access to the random source and to the per-link state.

// Transit draws the time one message spends on a link with faults f: its
// delay in f's distribution (mean Delay, spread Jitter) plus a possible
// reordering hold-back. It draws from r at most three times (a jitter draw
// when Jitter > 0, a reorder draw when 0 < Reorder < 1, a hold draw when
// reordered), so a seed replays a link's delays.
func (f *LinkFaults) Transit(r *rand.Rand) time.Duration {
	d := f.Delay
	if f.Jitter > 0 {
		switch f.Distribution {
		case DelayNormal:
			d += time.Duration(float64(f.Jitter) * r.NormFloat64())
		case DelayPareto:
			// Lomax of shape 3 and scale 2·Jitter has mean Jitter.
			const alpha = 3.0
			u := 1 - r.Float64() // (0, 1]
			d += -f.Jitter + time.Duration(2*float64(f.Jitter)*(math.Pow(u, -1/alpha)-1))
		default:
			d += time.Duration(r.Int64N(2*int64(f.Jitter))) - f.Jitter
		}
		d = max(d, 0)
	}
	if chance(r, f.Reorder) {
		hold := f.ReorderDelay
		if hold == 0 {
			hold = 100 * time.Millisecond
		}
		d += time.Duration(r.Int64N(int64(hold)))
	}
	return d
}

// chance reports true with probability p, drawing from r only when
// 0 < p < 1.
func chance(r *rand.Rand, p float64) bool {
	return p > 0 && (p >= 1 || r.Float64() < p)
}

// LossChain is the loss state of one directed link: a Gilbert-Elliott chain
// that is in a good state (messages pass) or a bad one (messages are lost).
// The zero value is a chain not yet started.
type LossChain struct {
	started bool
	bad     bool
}

// Lost steps the chain under f and reports whether the next message is
// lost. Without a Burst above 1 (or with Drop 0 or 1) losses are
// independent, with probability Drop, drawn exactly as the independent model
// always has. Otherwise the bad state lasts Burst messages on average and is
// entered often enough for the long-run loss to be Drop; a chain starts in
// its stationary distribution.
func (c *LossChain) Lost(f *LinkFaults, r *rand.Rand) bool {
	if f.Drop <= 0 {
		c.started = false
		return false
	}
	if f.Burst <= 1 || f.Drop >= 1 {
		c.started = false
		return chance(r, f.Drop)
	}
	leave := 1 / f.Burst                   // bad -> good
	enter := f.Drop * leave / (1 - f.Drop) // good -> bad: enter/(enter+leave) = Drop
	if enter >= 1 {
		// Runs this short cannot give this loss: lose independently.
		c.started = false
		return chance(r, f.Drop)
	}
	if !c.started {
		c.started, c.bad = true, chance(r, f.Drop)
	} else if c.bad {
		c.bad = !chance(r, leave)
	} else {
		c.bad = chance(r, enter)
	}
	return c.bad
}

// Pacer is the bandwidth queue of one directed link: the time until which
// the link is busy sending earlier messages. The zero value is an idle
// link.
type Pacer struct {
	busy time.Time
}

// Admit queues a message of n bytes sent at now on a link of bandwidth
// bytes/s and returns how long after now its last byte has left the link:
// the wait for the messages before it plus its own n/bandwidth. A
// bandwidth of zero or less means unlimited (no wait, nothing queued).
func (p *Pacer) Admit(now time.Time, n int, bandwidth int64) time.Duration {
	if bandwidth <= 0 {
		return 0
	}
	start := now
	if p.busy.After(start) {
		start = p.busy
	}
	tx := time.Duration(float64(n) / float64(bandwidth) * float64(time.Second))
	p.busy = start.Add(tx)
	return p.busy.Sub(now)
}
