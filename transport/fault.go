package transport

import (
	"cmp"
	"fmt"
	"time"
)

// Distribution is the shape of a link's delay (see LinkFaults.Jitter). In
// every distribution Delay is the mean delay and Jitter its spread.
type Distribution string

// Delay distributions.
const (
	// DelayUniform spreads the delay evenly over [Delay-Jitter,
	// Delay+Jitter), cut off at zero. The empty Distribution means
	// DelayUniform.
	DelayUniform Distribution = "uniform"
	// DelayNormal draws the delay from a normal distribution of mean Delay
	// and standard deviation Jitter, cut off at zero.
	DelayNormal Distribution = "normal"
	// DelayPareto draws a heavy-tailed delay: a Lomax (shifted Pareto) tail
	// of shape 3 and mean Jitter added to max(Delay-Jitter, 0), so that
	// the mean is Delay when Delay >= Jitter. Most messages come near
	// Delay-Jitter and a few far above.
	DelayPareto Distribution = "pareto"
)

// ConnFault is a fault on the connections that carry a link. A connection
// carries both directions of the link between its two ends (requests one
// way, replies the other), so a connection fault on either direction
// touches it.
type ConnFault string

// Connection faults.
const (
	// ConnNone leaves connections alone.
	ConnNone ConnFault = ""
	// ConnReset closes every connection carrying the link abruptly; calls
	// in flight on them fail with ErrUnreachable at once, and new calls
	// fail at once while the fault lasts. After it the connections are
	// made again on demand.
	ConnReset ConnFault = "reset"
	// ConnStall holds every message on the link, neither losing nor
	// failing it, until the stall lifts (then the message goes on, under
	// whatever faults the link has by then) or the caller gives up.
	ConnStall ConnFault = "stall"
	// ConnSlowClose makes a connection carrying the link, once closed by
	// either side or broken (by a reset, an error, a peer that went away),
	// look open for SlowClose more: calls already on it and calls still
	// sent on it get no reply and fail with ErrUnreachable only when
	// SlowClose has passed.
	ConnSlowClose ConnFault = "slow-close"
)

// DefaultSlowClose is the hold of ConnSlowClose when SlowClose is zero.
const DefaultSlowClose = 5 * time.Second

// LinkFaults describes the faults applied to every message sent over one
// directed link, from node A to node B. The zero value is a healthy link.
//
// Requests travel A->B and replies B->A, so a reply is subject to the faults
// of the reverse link.
//
// A message's fate is decided in this order: a connection fault (Conn), then
// Blocked, then loss (Drop, Burst), then its time on the link: it waits for
// the link to be free (Bandwidth), then is delayed (Delay, Jitter,
// Distribution, Reorder).
type LinkFaults struct {
	// Delay is the mean one-way delay of a message on the link.
	Delay time.Duration
	// Jitter spreads the delay as Distribution says: by default evenly
	// over Delay±Jitter (a schedule's "delay: 50ms, jitter: 10ms").
	Jitter time.Duration
	// Distribution is the shape of the delay; "" means DelayUniform.
	Distribution Distribution
	// Drop is the probability in [0, 1] that a message is lost: the
	// long-run fraction of messages lost.
	Drop float64
	// Burst, when above 1, correlates losses (a Gilbert-Elliott chain):
	// lost messages come in runs of Burst messages on average, the long-run
	// loss staying Drop. Runs shorter than 1/(1-Drop), the mean of
	// independent losses, cannot give that loss; below it losses are
	// independent. 0 or 1 means independent losses.
	Burst float64
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
	// Bandwidth limits the link to this many bytes per second; zero means
	// unlimited. Messages (their encoded size) go over the link one after
	// another: a message of n bytes occupies it for n/Bandwidth, and a
	// message sent while it is busy waits for the ones before it. Lost
	// messages do not occupy it.
	Bandwidth int64
	// Blocked drops every message on the link (a one-way partition).
	Blocked bool
	// Conn is a fault on the connections carrying the link.
	Conn ConnFault
	// SlowClose is how long ConnSlowClose holds a closing connection; zero
	// means DefaultSlowClose. It is ignored under other Conn values.
	SlowClose time.Duration
}

// Healthy reports whether f applies no fault at all.
func (f LinkFaults) Healthy() bool { return f == LinkFaults{} }

// Validate checks that every probability lies in [0, 1], no duration or
// rate is negative, Burst is not negative, and Distribution and Conn are
// known values.
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
	}{{"Delay", f.Delay}, {"Jitter", f.Jitter}, {"ReorderDelay", f.ReorderDelay}, {"SlowClose", f.SlowClose}} {
		if d.v < 0 {
			return fmt.Errorf("link faults: %s = %v, want >= 0", d.name, d.v)
		}
	}
	if f.Burst < 0 || f.Burst != f.Burst || f.Burst > maxBurst {
		return fmt.Errorf("link faults: Burst = %v, want a mean run length in [0, %g]", f.Burst, float64(maxBurst))
	}
	if f.Bandwidth < 0 {
		return fmt.Errorf("link faults: Bandwidth = %d, want >= 0 bytes/s", f.Bandwidth)
	}
	switch f.Distribution {
	case "", DelayUniform, DelayNormal, DelayPareto:
	default:
		return fmt.Errorf("link faults: Distribution = %q, want %q, %q or %q", f.Distribution, DelayUniform, DelayNormal, DelayPareto)
	}
	switch f.Conn {
	case ConnNone, ConnReset, ConnStall, ConnSlowClose:
	default:
		return fmt.Errorf("link faults: Conn = %q, want %q, %q or %q", f.Conn, ConnReset, ConnStall, ConnSlowClose)
	}
	return nil
}

// maxBurst bounds Burst, keeping the loss chain's probabilities well away
// from float64's limits.
const maxBurst = 1e9

// Merge combines two sets of faults on the same link, as when two fault
// windows overlap: delays add, probabilities combine as independent events,
// the wider jitter, longer burst and longer holds win, the tighter
// bandwidth wins, a block applies if either has it, and a's distribution
// and connection fault come before b's.
func (f LinkFaults) Merge(g LinkFaults) LinkFaults {
	either := func(p, q float64) float64 { return 1 - (1-p)*(1-q) }
	out := LinkFaults{
		Delay:        f.Delay + g.Delay,
		Jitter:       max(f.Jitter, g.Jitter),
		Distribution: cmp.Or(f.Distribution, g.Distribution),
		Drop:         either(f.Drop, g.Drop),
		Burst:        max(f.Burst, g.Burst),
		Duplicate:    either(f.Duplicate, g.Duplicate),
		Reorder:      either(f.Reorder, g.Reorder),
		ReorderDelay: max(f.ReorderDelay, g.ReorderDelay),
		Bandwidth:    f.Bandwidth,
		Blocked:      f.Blocked || g.Blocked,
		Conn:         cmp.Or(f.Conn, g.Conn),
		SlowClose:    max(f.SlowClose, g.SlowClose),
	}
	if g.Bandwidth > 0 && (out.Bandwidth == 0 || g.Bandwidth < out.Bandwidth) {
		out.Bandwidth = g.Bandwidth
	}
	return out
}
