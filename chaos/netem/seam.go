package netem

import (
	"fmt"
	"sync"
	"time"

	"faultline/transport"
)

// DefaultTick is how often a Seam redraws the faults it can only
// approximate on a transport.LinkFaulter.
const DefaultTick = 20 * time.Millisecond

// Seam is a Network over a transport.LinkFaulter, the fault table of
// Faultline's own transports, which decides every message itself.
//
// When the table says (transport.FaultSupport) that it applies a Link's
// faults, the Link goes straight through, converted to
// transport.LinkFaults, and every fault is exact, message by message: that
// is the case for transport/tcp's Faults (every fault, connection faults
// included, on the clients' own connections), for the tables of node
// processes behind system/backend/nodeproc's RemoteFaults, and for
// transport/simnet (all but connection faults, which it refuses).
//
// A table without that support is taken to apply only delay with uniform
// jitter, independent drops, duplication, reordering and blocking. For it,
// what it lacks is approximated in time rather than per message: a link
// with a normal or pareto delay, or with bursty loss, is redrawn every tick
// (a fresh delay drawn from the distribution; the loss chain stepped once,
// the link dropping everything while it is in the bad state), so Burst
// counts ticks instead of messages; bandwidth limits and connection faults
// are refused by Supports. A supporting table that refuses a distribution
// or burst falls back to the same approximation.
type Seam struct {
	lf      transport.LinkFaulter
	sup     transport.FaultSupport // nil when lf does not say what it supports
	sampler *Sampler
	tick    time.Duration

	mu      sync.Mutex
	redrawn map[[2]string]Link // links redrawn every tick
	stop    chan struct{}      // closes the redraw goroutine; nil when none runs
	done    chan struct{}
	closed  bool
}

var _ Network = (*Seam)(nil)

// NewSeam returns a Network over lf whose approximations draw from seed and
// are redrawn every tick (zero means DefaultTick).
func NewSeam(lf transport.LinkFaulter, seed int64, tick time.Duration) *Seam {
	if tick <= 0 {
		tick = DefaultTick
	}
	sup, _ := lf.(transport.FaultSupport)
	return &Seam{lf: lf, sup: sup, sampler: NewSampler(seed), tick: tick, redrawn: map[[2]string]Link{}}
}

// Exact reports whether the seam applies every fault of l exactly, message
// by message (rather than approximated by redrawing, or refused).
func (s *Seam) Exact(l Link) bool {
	return s.sup != nil && s.sup.SupportsLink(Faults(l)) == nil
}

// Supports refuses what the table can neither apply nor have approximated:
// with a table that does not support them, bandwidth limits and connection
// faults.
func (s *Seam) Supports(l Link) error {
	if s.Exact(l) {
		return nil
	}
	var why error
	if s.sup != nil {
		why = s.sup.SupportsLink(Faults(l))
	}
	var what string
	switch {
	case l.Bandwidth > 0:
		what = "a bandwidth limit"
	case l.Conn != ConnNone:
		what = "connection fault " + string(l.Conn)
	default:
		return nil // approximated
	}
	if why != nil {
		return fmt.Errorf("%s by the transport fault seam: %w (%w)", what, ErrUnsupported, why)
	}
	return unsupported(what, "the transport fault seam (its table does not apply it)")
}

// SetLink implements Network.
func (s *Seam) SetLink(from, to string, l Link) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if err := s.Supports(l); err != nil {
		return err
	}
	k := [2]string{from, to}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Exact(l) {
		delete(s.redrawn, k)
		return s.lf.SetLink(from, to, Faults(l))
	}
	if needsRedraw(l) {
		s.redrawn[k] = l
		s.startLocked()
		return s.lf.SetLink(from, to, s.draw(k, l))
	}
	delete(s.redrawn, k)
	return s.lf.SetLink(from, to, direct(l))
}

// HealAll implements Network.
func (s *Seam) HealAll() error {
	s.mu.Lock()
	clear(s.redrawn)
	s.mu.Unlock()
	s.lf.HealAll()
	return nil
}

// Close implements Network: it heals every link and stops redrawing.
func (s *Seam) Close() error {
	s.mu.Lock()
	s.closed = true
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	return s.HealAll()
}

// needsRedraw reports whether the table cannot express l per message.
func needsRedraw(l Link) bool {
	return (l.Jitter > 0 && l.Distribution != "" && l.Distribution != Uniform) || (l.Burst > 1 && l.Loss > 0 && l.Loss < 1)
}

// Faults converts l to the transport's fields, every one of them: a
// uniform Delay±Jitter becomes Delay-Jitter (at least 0) plus a uniform
// [0, 2·Jitter); normal and pareto delays mean the same in both; Loss is
// Drop; SlowClose is kept only under ConnSlowClose.
func Faults(l Link) transport.LinkFaults {
	lf := direct(l)
	if l.Jitter > 0 && l.Distribution != "" && l.Distribution != Uniform {
		lf.Delay, lf.Jitter, lf.Distribution = l.Delay, l.Jitter, l.Distribution
	}
	if l.Loss > 0 && l.Burst > 1 {
		lf.Burst = l.Burst
	}
	lf.Bandwidth = l.Bandwidth
	lf.Conn = l.Conn
	if l.Conn == ConnSlowClose {
		lf.SlowClose = l.SlowClose
	}
	return lf
}

// direct maps l to the fields every table applies: Delay±Jitter uniform
// becomes Delay-Jitter plus a uniform [0, 2·Jitter).
func direct(l Link) transport.LinkFaults {
	lf := transport.LinkFaults{
		Delay: l.Delay, Drop: l.Loss, Duplicate: l.Duplicate,
		Reorder: l.Reorder, ReorderDelay: l.ReorderDelay, Blocked: l.Blocked,
	}
	if l.Jitter > 0 {
		lf.Delay = max(l.Delay-l.Jitter, 0)
		lf.Jitter = 2 * l.Jitter
	}
	return lf
}

// draw returns the table entry for one tick of a redrawn link. s.mu is held.
func (s *Seam) draw(k [2]string, l Link) transport.LinkFaults {
	lf := direct(l)
	if l.Jitter > 0 && l.Distribution != "" && l.Distribution != Uniform {
		lf.Delay = s.sampler.Delay(Link{Delay: l.Delay, Jitter: l.Jitter, Distribution: l.Distribution})
		lf.Jitter = 0
	}
	if l.Burst > 1 && l.Loss > 0 && l.Loss < 1 {
		lf.Drop = 0
		if s.sampler.Lost(k[0], k[1], l) {
			lf.Drop = 1
		}
	}
	return lf
}

// startLocked starts the redraw goroutine if it is not running. s.mu is held.
func (s *Seam) startLocked() {
	if s.stop != nil || s.closed {
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.redraw(s.stop, s.done)
}

func (s *Seam) redraw(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		for k, l := range s.redrawn {
			_ = s.lf.SetLink(k[0], k[1], s.draw(k, l))
		}
		s.mu.Unlock()
	}
}
