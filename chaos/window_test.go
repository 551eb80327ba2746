package chaos

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/tcp"
	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// waitFaults waits until k fault records are in r and returns them.
func waitFaults(t *testing.T, r *rec, k int) []results.Fault {
	t.Helper()
	waitFor(t, "the fault records", func() bool { return len(r.faultList()) >= k })
	return r.faultList()
}

// failingKill runs a kill of n1 lasting window on a fake cluster whose
// power call (as "kill n1" or "restart n1") fails times times (-1: always),
// and returns the cluster, the recorder and the kill's one fault record.
func failingKill(t *testing.T, call string, times int, window string) (*fakeCluster, *rec, results.Fault) {
	t.Helper()
	c := newFake(3)
	c.failN[call] = times
	n := nemesisFor(t, "- {fault: kill, nodes: [n1], at: 0s, for: "+window+"}", 0)
	r, _ := setUp(t, n, c)
	return c, r, waitFaults(t, r, 1)[0]
}

// TestFaultRetriedUntilApplied: a kill whose power fails twice (the node
// refuses connections while it restarts) is retried until it takes
// effect; its actual window starts later than the intended one but covers
// most of it, so the faults check stays valid.
func TestFaultRetriedUntilApplied(t *testing.T) {
	_, r, f := failingKill(t, "kill n1", 2, "600ms")
	if f.Attempts != 3 || f.Error != "kill n1: connection refused" || f.StartNS <= f.IntendedStartNS || f.StopNS == results.NotApplied {
		t.Fatalf("record %+v, want 3 attempts, the last error, a late start and a heal", f)
	}
	if cov := f.Coverage(); cov >= 1 || cov < results.MinCoverage {
		t.Errorf("coverage %.2f, want below 1 and at least %.2f", cov, results.MinCoverage)
	}
	if ck := results.CheckFaults([]results.Fault{f}); ck.Verdict != checker.Valid {
		t.Errorf("faults check %+v, want valid", ck)
	}
	k, ok := r.find("kill")
	if !ok || k.open || k.stop.Sub(k.start) >= 600*time.Millisecond {
		t.Errorf("history window %+v: want the actual, shorter window", k)
	}
}

// TestFaultNeverApplied: a kill whose power always fails is retried until
// its window ends, recorded as never having taken effect, and the faults
// check is unknown with a sentence naming the window.
func TestFaultNeverApplied(t *testing.T) {
	_, r, f := failingKill(t, "kill n1", -1, "300ms")
	if f.StartNS != results.NotApplied || f.Attempts < 3 || f.IntendedStopNS-f.IntendedStartNS != int64(300*time.Millisecond) {
		t.Fatalf("record %+v, want never applied after several attempts", f)
	}
	ck := results.CheckFaults([]results.Fault{f})
	want := "faults[0] kill at 0.000s–0.300s: never took effect after"
	if ck.Verdict != checker.Unknown || !strings.Contains(ck.Summary, want) || !strings.Contains(ck.Summary, "connection refused") {
		t.Errorf("faults check %+v, want unknown naming %q", ck, want)
	}
	if _, ok := r.find("kill"); ok {
		t.Errorf("a kill window was recorded for a kill that never happened")
	}
	if e, ok := r.find("nemesis-error"); !ok || !strings.Contains(e.desc, "retrying") {
		t.Errorf("first failure not recorded: %+v", e)
	}
}

// flakyTable is a fault table whose SetLink fails a given number of times
// first (a node process restarting: its fault-control port refuses).
type flakyTable struct {
	*tcp.Faults
	mu    sync.Mutex
	fails int
}

func (t *flakyTable) SetLink(from, to string, f transport.LinkFaults) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails != 0 {
		t.fails--
		return errConnRefused
	}
	return t.Faults.SetLink(from, to, f)
}

var errConnRefused = &connRefused{}

type connRefused struct{}

func (*connRefused) Error() string { return "dial tcp 127.0.0.1:1: connect: connection refused" }

type flakyCluster struct {
	*fakeCluster
	table *flakyTable
}

func (c flakyCluster) Faults() transport.LinkFaulter { return c.table }

// TestPartitionRetriedAfterRefusal is the case: a partition whose
// links cannot be set at first (connection refused) is retried until every
// link is set; its history window opens only then.
func TestPartitionRetriedAfterRefusal(t *testing.T) {
	fc := newFake(3)
	c := flakyCluster{fc, &flakyTable{Faults: fc.faults, fails: 3}}
	n := nemesisFor(t, "- {fault: partition, shape: isolate, nodes: [n2], at: 0s, for: 1s}", 0)
	r, _ := setUp(t, n, c)
	r.await(t, "partition")
	if !fc.faults.Link("n0", "n2").Blocked || !fc.faults.Link("n2", "n1").Blocked {
		t.Errorf("links of n2 not blocked while the window is open")
	}
	f := waitFaults(t, r, 1)[0]
	if f.Attempts < 2 || f.StartNS == results.NotApplied || f.StopNS == results.NotApplied || f.Coverage() < results.MinCoverage {
		t.Fatalf("record %+v", f)
	}
	if !fc.faults.Link("n0", "n2").Healthy() {
		t.Errorf("n0->n2 not healed")
	}
}

// TestHealRetried: a restart that fails twice is retried and the window
// ends healed, the heal attempts recorded; the check stays valid.
func TestHealRetried(t *testing.T) {
	c, _, f := failingKill(t, "restart n1", 2, "200ms")
	if f.HealAttempts != 3 || f.HealError != "restart n1: connection refused" || f.StopNS == results.NotApplied {
		t.Fatalf("record %+v, want healed after 3 attempts", f)
	}
	if ck := results.CheckFaults([]results.Fault{f}); ck.Verdict != checker.Valid {
		t.Errorf("faults check %+v", ck)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down["n1"] {
		t.Errorf("n1 still down")
	}
}

// TestHealNeverSucceeds: a restart that always fails is retried by the
// window's end and again by the final heal, then recorded as never healed:
// the window stays open and the faults check is unknown.
func TestHealNeverSucceeds(t *testing.T) {
	c := newFake(3)
	c.failN["restart n1"] = -1
	n := nemesisFor(t, "- {fault: kill, nodes: [n1], at: 0s, for: 100ms}", 0)
	n.healWait = 100 * time.Millisecond
	if err := n.Setup(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	r := &rec{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.run(ctx, r) }()
	waitFor(t, "the first heal failure", func() bool {
		for _, e := range r.snapshot() {
			if e.kind == "nemesis-error" && strings.Contains(e.desc, "undo") {
				return true
			}
		}
		return false
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := n.heal(context.Background(), r); err == nil || !strings.Contains(err.Error(), "restart n1: connection refused") {
		t.Errorf("heal: %v, want the restart's error", err)
	}
	fs := r.faultList()
	if len(fs) != 1 || fs[0].StopNS != results.NotApplied || fs[0].HealAttempts < 2 || fs[0].StartNS == results.NotApplied {
		t.Fatalf("records %+v, want one never healed", fs)
	}
	ck := results.CheckFaults(fs)
	if ck.Verdict != checker.Unknown || !strings.Contains(ck.Summary, "never healed") {
		t.Errorf("faults check %+v", ck)
	}
	if k, _ := r.find("kill"); !k.open {
		t.Errorf("the window of a kill never healed was closed")
	}
}
