package transport

import (
	"errors"
	"fmt"
	"time"
)

// Distribution is the shape of a link's delay (see LinkFaults.Jitter).
type Distribution string

// Delay distributions.
const (
	// DelayUniform adds a uniformly random extra delay in [0, Jitter). The
	// empty Distribution means DelayUniform.
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

// ErrFaultUnsupported is wrapped by the errors of a LinkFaulter that cannot
// apply some field of a LinkFaults (see FaultSupport).
var ErrFaultUnsupported = errors.New("link fault not supported")

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
	// Delay is added to every message on the link (for DelayNormal and
	// DelayPareto it is the mean).
	Delay time.Duration
	// Jitter spreads the delay as Distribution says: by default a
	// uniformly random extra delay in [0, Jitter).
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

// FaultSupport is an optional interface of a LinkFaulter that says which
// faults it applies. A LinkFaulter without it is taken to apply only
// Delay, uniform Jitter, independent Drop, Duplicate, Reorder,
// ReorderDelay and Blocked.
type FaultSupport interface {
	// SupportsLink returns nil if the faulter applies every field of f,
	// message by message, as LinkFaults documents; otherwise an error
	// wrapping ErrFaultUnsupported naming what it cannot apply (or f's
	// validation error).
	SupportsLink(f LinkFaults) error
}
