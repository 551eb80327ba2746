package netem

import (
	"fmt"
	"strings"
	"time"

	"faultline/transport"
)

// Distribution is the shape of a link's delay jitter. It is the
// transport's type; a Link's Jitter means what it says below, which for
// Uniform differs from transport.LinkFaults (see Seam).
type Distribution = transport.Distribution

// Distributions a Link can use.
const (
	// Uniform spreads the delay evenly over [Delay-Jitter, Delay+Jitter].
	Uniform = transport.DelayUniform
	// Normal draws the delay from a normal distribution with mean Delay
	// and standard deviation Jitter.
	Normal = transport.DelayNormal
	// Pareto draws a heavy-tailed delay: most messages near Delay-Jitter,
	// a few far above, with mean Delay (shape 3).
	Pareto = transport.DelayPareto
)

// Conn is a connection fault: the transport's type.
type Conn = transport.ConnFault

// Connection faults. Proxies apply them to the proxied TCP connections;
// Seam hands them to a transport whose fault table applies them to its
// own connections (transport/tcp), and refuses them for one that has none
// (transport/simnet).
const (
	// ConnNone leaves connections alone.
	ConnNone = transport.ConnNone
	// ConnReset closes every connection on the link abruptly (RST) and
	// refuses new ones while the fault lasts.
	ConnReset = transport.ConnReset
	// ConnStall holds every byte or message without forwarding or
	// failing it (a black hole that keeps sockets open).
	ConnStall = transport.ConnStall
	// ConnSlowClose delays the close of a connection by SlowClose after
	// either side closed it, forwarding nothing meanwhile.
	ConnSlowClose = transport.ConnSlowClose
)

// Link is the set of faults on one directed link. The zero value is a
// healthy link.
type Link struct {
	// Delay is the mean extra one-way delay of a message.
	Delay time.Duration
	// Jitter spreads the delay (see Distribution).
	Jitter time.Duration
	// Distribution shapes the jitter; "" means Uniform.
	Distribution Distribution
	// Loss is the long-run fraction of messages lost, in [0, 1].
	Loss float64
	// Burst is the mean length of a run of lost messages (Gilbert-Elliott
	// correlation); 0 or 1 means independent losses.
	Burst float64
	// Duplicate is the probability in [0, 1] that a message is delivered
	// twice.
	Duplicate float64
	// Reorder is the probability in [0, 1] that a message is held back by
	// up to ReorderDelay so that later ones overtake it.
	Reorder float64
	// ReorderDelay bounds the hold-back of a reordered message; zero means
	// 100ms.
	ReorderDelay time.Duration
	// Bandwidth limits the link to this many bytes per second; zero means
	// unlimited.
	Bandwidth int64
	// Blocked loses every message (one direction of a partition).
	Blocked bool
	// Conn is a connection fault.
	Conn Conn
	// SlowClose is how long ConnSlowClose holds a closing connection;
	// zero means 5s.
	SlowClose time.Duration
}

// Healthy reports whether l applies no fault.
func (l Link) Healthy() bool { return l == Link{} }

// Validate checks the ranges of l's fields.
func (l Link) Validate() error {
	// The transport's LinkFaults has the same fields under the same rules
	// (Loss is its Drop).
	lf := transport.LinkFaults{
		Delay: l.Delay, Jitter: l.Jitter, Distribution: l.Distribution, Drop: l.Loss, Burst: l.Burst,
		Duplicate: l.Duplicate, Reorder: l.Reorder, ReorderDelay: l.ReorderDelay, Bandwidth: l.Bandwidth,
		Blocked: l.Blocked, Conn: l.Conn, SlowClose: l.SlowClose,
	}
	if err := lf.Validate(); err != nil {
		return fmt.Errorf("netem: %s", strings.Replace(strings.TrimPrefix(err.Error(), "link faults: "), "Drop =", "Loss =", 1))
	}
	if l.Burst > 1 && l.Loss >= 1 {
		return fmt.Errorf("netem: Burst = %v with Loss = 1, want Loss < 1", l.Burst)
	}
	return nil
}

// Merge combines two sets of faults on the same link, as when two fault
// windows overlap: delays add, probabilities combine as independent events,
// the tighter bandwidth wins, and a block or connection fault in either
// applies.
func Merge(a, b Link) Link {
	either := func(p, q float64) float64 { return 1 - (1-p)*(1-q) }
	out := Link{
		Delay:        a.Delay + b.Delay,
		Jitter:       max(a.Jitter, b.Jitter),
		Distribution: a.Distribution,
		Loss:         either(a.Loss, b.Loss),
		Burst:        max(a.Burst, b.Burst),
		Duplicate:    either(a.Duplicate, b.Duplicate),
		Reorder:      either(a.Reorder, b.Reorder),
		ReorderDelay: max(a.ReorderDelay, b.ReorderDelay),
		Bandwidth:    a.Bandwidth,
		Blocked:      a.Blocked || b.Blocked,
		Conn:         a.Conn,
		SlowClose:    max(a.SlowClose, b.SlowClose),
	}
	if out.Distribution == "" {
		out.Distribution = b.Distribution
	}
	if b.Bandwidth > 0 && (out.Bandwidth == 0 || b.Bandwidth < out.Bandwidth) {
		out.Bandwidth = b.Bandwidth
	}
	if out.Conn == ConnNone {
		out.Conn = b.Conn
	}
	return out
}
