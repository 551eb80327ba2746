package transport

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestLinkFaultsValidate(t *testing.T) {
	for _, bad := range []LinkFaults{
		{Drop: 1.5}, {Drop: math.NaN()}, {Duplicate: -0.1}, {Reorder: 2},
		{Delay: -1}, {Jitter: -1}, {ReorderDelay: -1}, {SlowClose: -1},
		{Burst: -1}, {Burst: math.NaN()}, {Burst: math.Inf(1)}, {Bandwidth: -1},
		{Distribution: "gamma"}, {Conn: "drop"},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v: valid", bad)
		}
	}
	for _, good := range []LinkFaults{
		{}, {Distribution: DelayNormal, Jitter: 1}, {Distribution: DelayPareto}, {Distribution: DelayUniform},
		{Drop: 1, Burst: 3}, {Drop: 0.5, Burst: 0.5}, {Bandwidth: 1},
		{Conn: ConnReset}, {Conn: ConnStall}, {Conn: ConnSlowClose, SlowClose: time.Second},
	} {
		if err := good.Validate(); err != nil {
			t.Errorf("%+v: %v", good, err)
		}
		if good.Healthy() != (good == LinkFaults{}) {
			t.Errorf("%+v: Healthy %v", good, good.Healthy())
		}
	}
}

// TestTransitDistributions checks the mean and shape of each delay
// distribution from many draws.
func TestTransitDistributions(t *testing.T) {
	const n = 100000
	draws := func(d Distribution) []time.Duration {
		r := rand.New(rand.NewPCG(1, 2))
		f := LinkFaults{Delay: 40 * time.Millisecond, Jitter: 10 * time.Millisecond, Distribution: d}
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = f.Transit(r)
		}
		slices.Sort(out)
		return out
	}
	mean := func(x []time.Duration) time.Duration {
		var s float64
		for _, v := range x {
			s += float64(v)
		}
		return time.Duration(s / float64(len(x)))
	}
	q := func(x []time.Duration, p float64) time.Duration { return x[int(p*float64(len(x)-1))] }
	ms := time.Millisecond
	uni, nor, par := draws(DelayUniform), draws(DelayNormal), draws(DelayPareto)
	if m := mean(uni); m < 39*ms || m > 41*ms || uni[0] < 30*ms || uni[n-1] >= 50*ms {
		t.Errorf("uniform: mean %v range [%v, %v], want 40ms in [30ms, 50ms)", m, uni[0], uni[n-1])
	}
	if m := mean(nor); m < 39*ms || m > 41*ms {
		t.Errorf("normal: mean %v, want 40ms", m)
	}
	if sd := q(nor, 0.8413) - q(nor, 0.5); sd < 9*ms || sd > 11*ms {
		t.Errorf("normal: one sigma above the median is %v, want 10ms", sd)
	}
	if m := mean(par); m < 39*ms || m > 41*ms {
		t.Errorf("pareto: mean %v, want 40ms", m)
	}
	if par[0] < 30*ms || q(par, 0.5) > 37*ms {
		t.Errorf("pareto: min %v median %v, want >= 30ms and most near it", par[0], q(par, 0.5))
	}
	// Heavy tail: pareto's p99 far above normal's (about 103ms vs 63ms).
	if q(par, 0.99) < q(nor, 0.99)+25*ms {
		t.Errorf("p99 pareto %v, normal %v: want a much heavier pareto tail", q(par, 0.99), q(nor, 0.99))
	}
	// A uniform draw is one Int64N: Delay-Jitter + Int64N(2·Jitter), cut
	// off at zero.
	r1, r2 := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
	f := LinkFaults{Delay: 3, Jitter: 1000}
	for range 100 {
		if got, want := f.Transit(r1), max(3-1000+time.Duration(r2.Int64N(2000)), 0); got != want {
			t.Fatalf("uniform transit %v, want %v", got, want)
		}
	}
}

// TestLossChain checks the long-run loss and mean run length of bursty
// and independent losses.
func TestLossChain(t *testing.T) {
	for _, tc := range []struct{ drop, burst, wantRun float64 }{
		{0.05, 0, 1 / 0.95}, {0.05, 4, 4}, {0.2, 10, 10}, {0.5, 2, 2}, {0.3, 5, 5},
		{0.9, 2, 10}, // runs of 2 cannot lose 90%: independent, runs of 1/(1-0.9)
	} {
		r := rand.New(rand.NewPCG(11, 12))
		f := LinkFaults{Drop: tc.drop, Burst: tc.burst}
		var c LossChain
		const n = 200000
		lost, runs, in := 0, 0, false
		for range n {
			x := c.Lost(&f, r)
			if x {
				lost++
				if !in {
					runs++
				}
			}
			in = x
		}
		rate, run := float64(lost)/n, float64(lost)/float64(runs)
		if math.Abs(rate-tc.drop) > 0.1*tc.drop {
			t.Errorf("drop %v burst %v: long-run loss %.4f", tc.drop, tc.burst, rate)
		}
		if math.Abs(run-tc.wantRun) > 0.1*tc.wantRun {
			t.Errorf("drop %v burst %v: mean run %.2f, want %.2f", tc.drop, tc.burst, run, tc.wantRun)
		}
	}
	var c LossChain
	r := rand.New(rand.NewPCG(1, 1))
	for range 100 {
		if c.Lost(&LinkFaults{Drop: 1, Burst: 3}, r) != true || c.Lost(&LinkFaults{Burst: 3}, r) {
			t.Fatal("Drop 1 kept a message or Drop 0 lost one")
		}
	}
}

func TestPacer(t *testing.T) {
	var p Pacer
	t0 := time.Unix(1000, 0)
	if d := p.Admit(t0, 1000, 0); d != 0 {
		t.Errorf("unlimited: %v", d)
	}
	// 1000 bytes at 10000 B/s: 100ms each, queued back to back.
	for i := 1; i <= 3; i++ {
		if d := p.Admit(t0, 1000, 10000); d != time.Duration(i)*100*time.Millisecond {
			t.Errorf("message %d waits %v", i, d)
		}
	}
	// Once the link is idle again a message waits only for itself.
	if d := p.Admit(t0.Add(time.Second), 500, 10000); d != 50*time.Millisecond {
		t.Errorf("after idle: %v", d)
	}
}

func TestMerge(t *testing.T) {
	m := LinkFaults{Delay: 10, Drop: 0.5, Bandwidth: 100}.Merge(LinkFaults{Delay: 5, Drop: 0.5, Bandwidth: 50, Blocked: true, Conn: ConnStall})
	if m.Delay != 15 || m.Drop != 0.75 || m.Bandwidth != 50 || !m.Blocked || m.Conn != ConnStall {
		t.Errorf("merge %+v", m)
	}
	if m := (LinkFaults{Distribution: DelayPareto, Conn: ConnReset}).Merge(LinkFaults{Distribution: DelayNormal, Conn: ConnStall}); m.Distribution != DelayPareto || m.Conn != ConnReset {
		t.Errorf("merge keeps the first distribution and connection fault: %+v", m)
	}
	if !(LinkFaults{}).Merge(LinkFaults{}).Healthy() {
		t.Error("merge of healthy links is not healthy")
	}
}

// plainFaulter is a LinkFaulter that does not say what it supports.
type plainFaulter struct{}

func (plainFaulter) SetLink(string, string, LinkFaults) error { return nil }
func (plainFaulter) Link(string, string) LinkFaults           { return LinkFaults{} }
func (plainFaulter) HealAll()                                 {}

func TestSupportsWithoutFaultSupport(t *testing.T) {
	for _, f := range []LinkFaults{{Bandwidth: 1}, {Conn: ConnReset}, {Jitter: 1, Distribution: DelayNormal}, {Drop: 0.5, Burst: 3}} {
		if err := Supports(plainFaulter{}, f); !errors.Is(err, ErrFaultUnsupported) {
			t.Errorf("%+v: %v, want ErrFaultUnsupported", f, err)
		}
	}
	if err := Supports(plainFaulter{}, LinkFaults{Drop: 2}); err == nil || errors.Is(err, ErrFaultUnsupported) {
		t.Errorf("invalid faults: %v, want a validation error", err)
	}
	if err := Supports(plainFaulter{}, LinkFaults{Delay: 1, Jitter: 1, Drop: 0.1, Duplicate: 0.1, Reorder: 0.1, ReorderDelay: 1, Blocked: true}); err != nil {
		t.Errorf("plain faults: %v", err)
	}
}
