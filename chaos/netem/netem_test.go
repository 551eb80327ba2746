package netem

import (
	"errors"
	"math"
	"runtime"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/simnet"
	"faultline/transport/tcp"
)

func TestGilbertElliottLossAndBursts(t *testing.T) {
	for _, tc := range []struct{ loss, burst float64 }{{0.05, 1}, {0.05, 4}, {0.2, 10}, {0.5, 2}} {
		s := NewSampler(11)
		l := Link{Loss: tc.loss, Burst: tc.burst}
		const n = 200000
		lost, runs, inRun := 0, 0, false
		for range n {
			x := s.Lost("a", "b", l)
			if x {
				lost++
				if !inRun {
					runs++
				}
			}
			inRun = x
		}
		rate := float64(lost) / n
		if math.Abs(rate-tc.loss) > 0.15*tc.loss {
			t.Errorf("loss %v burst %v: long-run loss %.4f", tc.loss, tc.burst, rate)
		}
		mean := float64(lost) / float64(runs)
		want := max(tc.burst, 1/(1-tc.loss)) // independent losses still cluster a little
		if math.Abs(mean-want) > 0.15*want {
			t.Errorf("loss %v burst %v: mean burst %.2f, want about %.2f", tc.loss, tc.burst, mean, want)
		}
	}
}

func TestDelayDistributions(t *testing.T) {
	for _, d := range []Distribution{Uniform, Normal, Pareto} {
		s := NewSampler(3)
		l := Link{Delay: 50 * time.Millisecond, Jitter: 10 * time.Millisecond, Distribution: d}
		const n = 100000
		var sum float64
		lo, hi := time.Hour, time.Duration(0)
		for range n {
			x := s.Delay(l)
			sum += float64(x)
			lo, hi = min(lo, x), max(hi, x)
		}
		mean := time.Duration(sum / n)
		if mean < 49*time.Millisecond || mean > 51*time.Millisecond {
			t.Errorf("%s: mean %v, want 50ms", d, mean)
		}
		switch d {
		case Uniform:
			if lo < 40*time.Millisecond || hi > 60*time.Millisecond {
				t.Errorf("uniform range [%v, %v], want within [40ms, 60ms]", lo, hi)
			}
		case Pareto:
			if lo < 40*time.Millisecond || hi < 80*time.Millisecond {
				t.Errorf("pareto range [%v, %v], want >= 40ms with a long tail", lo, hi)
			}
		case Normal:
			if lo > 20*time.Millisecond || hi < 80*time.Millisecond {
				t.Errorf("normal range [%v, %v], want tails beyond 3 sigma", lo, hi)
			}
		}
	}
}

func TestDecide(t *testing.T) {
	s := NewSampler(1)
	if f := s.Decide("a", "b", Link{Blocked: true}); !f.Lost {
		t.Error("blocked link delivered")
	}
	if f := s.Decide("a", "b", Link{Duplicate: 1, Delay: time.Millisecond}); f.Lost || !f.Duplicate || f.Delay != time.Millisecond {
		t.Errorf("fate %+v", f)
	}
}

func TestValidateAndMerge(t *testing.T) {
	for _, l := range []Link{{Loss: 2}, {Delay: -1}, {Burst: -1}, {Distribution: "x"}, {Conn: "x"}, {Bandwidth: -1}, {Loss: 1, Burst: 3}} {
		if l.Validate() == nil {
			t.Errorf("%+v valid", l)
		}
	}
	m := Merge(Link{Delay: 10, Loss: 0.5, Bandwidth: 100}, Link{Delay: 5, Loss: 0.5, Bandwidth: 50, Blocked: true, Conn: ConnStall})
	if m.Delay != 15 || m.Loss != 0.75 || m.Bandwidth != 50 || !m.Blocked || m.Conn != ConnStall {
		t.Errorf("merge %+v", m)
	}
	if !Merge(Link{}, Link{}).Healthy() {
		t.Error("merge of healthy links is not healthy")
	}
}

// legacyTable is a LinkFaulter that does not say what it supports, as a
// table that knows only the original fields.
type legacyTable struct{ transport.LinkFaulter }

func TestSeamLegacyTable(t *testing.T) {
	base := runtime.NumGoroutine()
	f := tcp.NewFaults(1)
	s := NewSeam(legacyTable{f}, 1, time.Millisecond)
	if err := s.SetLink("a", "b", Link{Bandwidth: 1}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("bandwidth: %v", err)
	}
	if err := s.SetLink("a", "b", Link{Conn: ConnReset}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("reset: %v", err)
	}
	if s.Exact(Link{Delay: 1}) {
		t.Error("a legacy table claims exact faults")
	}
	// Uniform jitter maps straight onto the table.
	s.SetLink("a", "b", Link{Delay: 50, Jitter: 10, Loss: 0.1, Duplicate: 0.2, Reorder: 0.3, ReorderDelay: 7})
	want := transport.LinkFaults{Delay: 40, Jitter: 20, Drop: 0.1, Duplicate: 0.2, Reorder: 0.3, ReorderDelay: 7}
	if got := f.Link("a", "b"); got != want {
		t.Errorf("table %+v, want %+v", got, want)
	}
	// Bursty loss is redrawn: the link flips between dropping all and none.
	s.SetLink("b", "a", Link{Loss: 0.5, Burst: 3})
	seen := map[float64]bool{}
	deadline := time.Now().Add(10 * time.Second)
	for len(seen) < 2 && time.Now().Before(deadline) {
		seen[f.Link("b", "a").Drop] = true
		time.Sleep(time.Millisecond)
	}
	if !seen[0] || !seen[1] {
		t.Errorf("drop values seen %v, want 0 and 1", seen)
	}
	s.Close()
	s.Close()
	if !f.Link("a", "b").Healthy() || !f.Link("b", "a").Healthy() {
		t.Error("Close left faults")
	}
	waitGoroutines(t, base)
}

// TestSeamExact checks that a table supporting every field gets every
// fault straight through, with nothing redrawn.
func TestSeamExact(t *testing.T) {
	base := runtime.NumGoroutine()
	f := tcp.NewFaults(1)
	s := NewSeam(f, 1, time.Millisecond)
	defer s.Close()
	for _, tc := range []struct {
		l    Link
		want transport.LinkFaults
	}{
		{Link{Bandwidth: 1 << 20}, transport.LinkFaults{Bandwidth: 1 << 20}},
		{Link{Conn: ConnReset}, transport.LinkFaults{Conn: transport.ConnReset}},
		{Link{Conn: ConnStall}, transport.LinkFaults{Conn: transport.ConnStall}},
		{Link{Conn: ConnSlowClose, SlowClose: time.Second}, transport.LinkFaults{Conn: transport.ConnSlowClose, SlowClose: time.Second}},
		{Link{Conn: ConnReset, SlowClose: time.Second}, transport.LinkFaults{Conn: transport.ConnReset}},
		{Link{Loss: 0.5, Burst: 3}, transport.LinkFaults{Drop: 0.5, Burst: 3}},
		{Link{Delay: 50, Jitter: 10, Distribution: Normal}, transport.LinkFaults{Delay: 50, Jitter: 10, Distribution: transport.DelayNormal}},
		{Link{Delay: 50, Jitter: 10, Distribution: Pareto, Loss: 0.1, Burst: 4, Bandwidth: 9, Duplicate: 0.2, Reorder: 0.3, ReorderDelay: 7},
			transport.LinkFaults{Delay: 50, Jitter: 10, Distribution: transport.DelayPareto, Drop: 0.1, Burst: 4, Bandwidth: 9, Duplicate: 0.2, Reorder: 0.3, ReorderDelay: 7}},
		{Link{Delay: 50, Jitter: 10, Distribution: Uniform}, transport.LinkFaults{Delay: 40, Jitter: 20}},
	} {
		if !s.Exact(tc.l) {
			t.Errorf("%+v: not exact", tc.l)
		}
		if err := s.SetLink("a", "b", tc.l); err != nil {
			t.Fatalf("%+v: %v", tc.l, err)
		}
		if got := f.Link("a", "b"); got != tc.want {
			t.Errorf("%+v: table %+v, want %+v", tc.l, got, tc.want)
		}
	}
	s.mu.Lock()
	redrawing := s.stop != nil || len(s.redrawn) > 0
	s.mu.Unlock()
	if redrawing {
		t.Error("an exact table is being redrawn")
	}
	s.Close()
	if !f.Link("a", "b").Healthy() {
		t.Error("Close left faults")
	}
	waitGoroutines(t, base)
}

// TestSeamSimnet checks a table that supports all but connection faults.
func TestSeamSimnet(t *testing.T) {
	n := simnet.MakeNetwork(1)
	defer n.Cleanup()
	s := NewSeam(n, 1, time.Millisecond)
	defer s.Close()
	err := s.SetLink("a", "b", Link{Conn: ConnStall})
	if !errors.Is(err, ErrUnsupported) || !errors.Is(err, transport.ErrFaultUnsupported) {
		t.Errorf("stall on simnet: %v, want ErrUnsupported", err)
	}
	l := Link{Bandwidth: 100, Loss: 0.2, Burst: 5, Delay: 9, Jitter: 3, Distribution: Pareto}
	if err := s.SetLink("a", "b", l); err != nil {
		t.Fatal(err)
	}
	if got := n.Link("a", "b"); got != Faults(l) {
		t.Errorf("simnet link %+v, want %+v", got, Faults(l))
	}
}

func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if runtime.NumGoroutine() > base {
		t.Errorf("%d goroutines after Close, %d before", runtime.NumGoroutine(), base)
	}
}
