package maelstrom

import (
	"errors"
	"math"
	"testing"
	"time"

	"faultline/internal/labcluster"
	"faultline/transport"
)

// delays returns how long after start each arrival came, in arrival order.
func delays(start time.Time, got []arrival) []time.Duration {
	out := make([]time.Duration, len(got))
	for i, a := range got {
		out[i] = a.at.Sub(start)
	}
	return out
}

func TestLinkDelayWithinBounds(t *testing.T) {
	const base, delay, jitter = 2 * time.Millisecond, 10 * time.Millisecond, 5 * time.Millisecond
	r := newTestRouter(t, RouterConfig{Seed: 1, Latency: base})
	b := newSink("n1")
	attach(t, r, newSink("n0"), b)
	if err := r.Faults().SetLink("n0", "n1", transport.LinkFaults{Delay: delay, Jitter: jitter}); err != nil {
		t.Fatal(err)
	}
	const n = 200
	start := time.Now()
	for i := range n {
		r.Send(msg("n0", "n1", "gossip", int64(i)))
	}
	labcluster.WaitFor(t, wait, "delayed messages", func() bool { return b.count() == n })
	got := b.arrivals()
	overtaken := 0
	for i, d := range delays(start, got) {
		if d < base+delay-jitter {
			t.Fatalf("a message came after %v, before the least possible %v", d, base+delay-jitter)
		}
		if msgID(got[i].msg) != int64(i) {
			overtaken++
		}
	}
	// Messages sent within microseconds with delays spread over ±5ms
	// arrive in the order of their seeded draws, not in send order.
	if overtaken == 0 {
		t.Fatal("every message arrived in send order: jitter not applied")
	}
}

func TestLinkDelayDistributions(t *testing.T) {
	r := newTestRouter(t, RouterConfig{Seed: 7})
	for _, dist := range []transport.Distribution{transport.DelayUniform, transport.DelayNormal, transport.DelayPareto} {
		ls := &linkState{f: transport.LinkFaults{Delay: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Distribution: dist}}
		const n = 20000
		var sum float64
		var lo, hi time.Duration = math.MaxInt64, 0
		for range n {
			ft := r.decide(ls, time.Now(), 100)
			if ft.drop != "" || ft.dup {
				t.Fatalf("%s: fate %+v on a link without loss or duplication", dist, ft)
			}
			sum += float64(ft.delay)
			lo, hi = min(lo, ft.delay), max(hi, ft.delay)
		}
		mean := time.Duration(sum / n)
		if mean < 19*time.Millisecond || mean > 21*time.Millisecond || lo < 0 {
			t.Errorf("%s: mean %v (want 20ms), least %v", dist, mean, lo)
		}
		if dist == transport.DelayUniform && (lo < 15*time.Millisecond || hi >= 25*time.Millisecond) {
			t.Errorf("uniform: delays %v..%v, want within 15ms..25ms", lo, hi)
		}
		if dist == transport.DelayPareto && hi < 40*time.Millisecond {
			t.Errorf("pareto: largest delay %v, want a heavy tail", hi)
		}
	}
}

// lossRun sends n messages over a link with faults f and returns, in send
// order, whether each was lost (from the journal).
func lossRun(t *testing.T, seed int64, f transport.LinkFaults, n int) []bool {
	t.Helper()
	r := newTestRouter(t, RouterConfig{Seed: seed, JournalWindow: time.Hour, JournalLimit: n})
	attach(t, r, newSink("n0"), newSink("n1"))
	if err := r.SetLink("n0", "n1", f); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		r.Send(msg("n0", "n1", "gossip", int64(i)))
	}
	lost := make([]bool, n)
	for i, e := range r.Journal() {
		lost[i] = e.Dropped == DropLoss
	}
	labcluster.WaitFor(t, wait, "every message delivered or lost", func() bool {
		s := r.Stats().All
		return s.Delivered+s.Dropped.Total() == int64(n)
	})
	if s := r.Stats().All; s.Dropped.Loss != int64(count(lost)) {
		t.Fatalf("stats say %d lost, journal %d", s.Dropped.Loss, count(lost))
	}
	return lost
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func TestLinkLossRate(t *testing.T) {
	const n = 20000
	lost := lossRun(t, 3, transport.LinkFaults{Drop: 0.3}, n)
	if rate := float64(count(lost)) / n; math.Abs(rate-0.3) > 0.02 {
		t.Fatalf("loss rate %.3f, want 0.3", rate)
	}
	again := lossRun(t, 3, transport.LinkFaults{Drop: 0.3}, n)
	for i := range lost {
		if lost[i] != again[i] {
			t.Fatalf("same seed, different fate for message %d", i)
		}
	}
}

func TestLinkLossBursts(t *testing.T) {
	const n = 40000
	lost := lossRun(t, 5, transport.LinkFaults{Drop: 0.2, Burst: 8}, n)
	runs, inRun := 0, false
	for _, l := range lost {
		if l && !inRun {
			runs++
		}
		inRun = l
	}
	rate := float64(count(lost)) / n
	meanRun := float64(count(lost)) / float64(runs)
	if math.Abs(rate-0.2) > 0.03 || meanRun < 6 || meanRun > 10 {
		t.Fatalf("loss %.3f in runs of %.1f on average, want 0.2 in runs of 8", rate, meanRun)
	}
}

func TestLinkDuplicate(t *testing.T) {
	r := newTestRouter(t, RouterConfig{Seed: 1, JournalWindow: time.Hour})
	b := newSink("n1")
	attach(t, r, newSink("n0"), b)
	if err := r.SetLink("n0", "n1", transport.LinkFaults{Duplicate: 1}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		r.Send(msg("n0", "n1", "gossip", int64(i)))
	}
	labcluster.WaitFor(t, wait, "20 copies", func() bool { return b.count() == 20 })
	seen := map[int64]int{}
	for _, a := range b.arrivals() {
		seen[msgID(a.msg)]++
	}
	for i := range int64(10) {
		if seen[i] != 2 {
			t.Fatalf("message %d arrived %d times, want 2", i, seen[i])
		}
	}
	s := r.Stats().All
	if s.Sent != 10 || s.Duplicated != 10 || s.Delivered != 20 {
		t.Fatalf("stats %+v", s)
	}
	dups := 0
	for _, e := range r.Journal() {
		if e.Duplicate {
			dups++
		}
	}
	if dups != 10 {
		t.Fatalf("journal has %d duplicate copies, want 10", dups)
	}
}

func TestLinkReorder(t *testing.T) {
	r := newTestRouter(t, RouterConfig{Seed: 2})
	b := newSink("n1")
	attach(t, r, newSink("n0"), b)
	if err := r.SetLink("n0", "n1", transport.LinkFaults{Reorder: 0.3, ReorderDelay: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := range n {
		r.Send(msg("n0", "n1", "gossip", int64(i)))
	}
	labcluster.WaitFor(t, wait, "all messages", func() bool { return b.count() == n })
	overtaken := 0
	for i, a := range b.arrivals() {
		if msgID(a.msg) != int64(i) {
			overtaken++
		}
	}
	if overtaken == 0 {
		t.Fatal("reordering on a link left every message in order")
	}
}

func TestLinkBandwidth(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	b := newSink("n1")
	attach(t, r, newSink("n0"), b)
	m := msg("n0", "n1", "gossip", 1)
	size := wireSize(&m)
	const n = 10
	bw := int64(size * n * 10) // n messages take 100ms
	if err := r.SetLink("n0", "n1", transport.LinkFaults{Bandwidth: bw}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range n {
		r.Send(m)
	}
	labcluster.WaitFor(t, wait, "all messages", func() bool { return b.count() == n })
	ds := delays(start, b.arrivals())
	for i, d := range ds {
		if least := time.Duration(i+1) * 10 * time.Millisecond; d < least {
			t.Fatalf("message %d left the link after %v, before %v", i, d, least)
		}
	}
}

func TestLinkOneWayPartitionAndHeal(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	a, b := newSink("n0"), newSink("n1")
	attach(t, r, a, b)
	f := r.Faults()
	if err := f.SetLink("n0", "n1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if !f.Link("n0", "n1").Blocked || f.Link("n1", "n0").Blocked {
		t.Fatal("Link does not show the one-way block")
	}
	r.Send(msg("n0", "n1", "gossip", 1))
	r.Send(msg("n1", "n0", "gossip", 2))
	labcluster.WaitFor(t, wait, "reverse message", func() bool { return a.count() == 1 })
	if s := r.Stats().All; s.Dropped.Partition != 1 || b.count() != 0 {
		t.Fatalf("blocked link: stats %+v, %d delivered over it", s, b.count())
	}
	f.HealAll()
	if !f.Link("n0", "n1").Healthy() {
		t.Fatal("HealAll left a fault")
	}
	r.Send(msg("n0", "n1", "gossip", 3))
	labcluster.WaitFor(t, wait, "message after heal", func() bool { return b.count() == 1 })

	if err := f.SetLink("n0", "n1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetLink("n0", "n1", transport.LinkFaults{}); err != nil {
		t.Fatal(err)
	}
	r.Send(msg("n0", "n1", "gossip", 4))
	labcluster.WaitFor(t, wait, "message after a healthy SetLink", func() bool { return b.count() == 2 })
}

func TestLinkRefusesConnFaults(t *testing.T) {
	r := newTestRouter(t, RouterConfig{})
	for _, c := range []transport.ConnFault{transport.ConnReset, transport.ConnStall, transport.ConnSlowClose} {
		f := transport.LinkFaults{Conn: c}
		if err := r.SetLink("n0", "n1", f); !errors.Is(err, transport.ErrFaultUnsupported) {
			t.Errorf("SetLink %s: err %v, want ErrFaultUnsupported", c, err)
		}
		if err := transport.Supports(r.Faults(), f); !errors.Is(err, transport.ErrFaultUnsupported) {
			t.Errorf("Supports %s: err %v", c, err)
		}
	}
	full := transport.LinkFaults{Delay: 1, Jitter: 1, Distribution: transport.DelayPareto, Drop: 0.5, Burst: 3,
		Duplicate: 0.1, Reorder: 0.1, ReorderDelay: 1, Bandwidth: 1, Blocked: true}
	if err := transport.Supports(r.Faults(), full); err != nil {
		t.Errorf("Supports every message fault: %v", err)
	}
	if err := r.SetLink("n0", "n1", transport.LinkFaults{Drop: 2}); err == nil {
		t.Error("invalid faults accepted")
	}
	if err := r.SetLink("", "n1", transport.LinkFaults{}); err == nil {
		t.Error("empty id accepted")
	}
}
