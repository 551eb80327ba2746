package maelstrom

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// counterHistory: ok adds of 3 and 4, an unknown add of 2, a failed add
// of 1; a read of 3 in between; final reads of n0 and n1.
func counterHistory(final0, final1 int64) *hist {
	h := &hist{}
	h.ok(1, "n0", "add", `{"delta":3}`, `{"type":"add_ok"}`, 1, 2)
	h.ok(2, "n1", "read", "", `{"type":"read_ok","value":3}`, 3, 4)
	h.ok(2, "n1", "add", `{"delta":4}`, `{"type":"add_ok"}`, 5, 6)
	h.call(1, "n0", "add", `{"delta":2}`, "", 7, 8, history.Info)
	h.call(3, "n2", "add", `{"delta":1}`, "", 9, 10, history.Fail)
	h.final(100)
	h.ok(0, "n0", "read", "", fmt.Sprintf(`{"type":"read_ok","value":%d}`, final0), 101, 102)
	h.ok(0, "n1", "read", "", fmt.Sprintf(`{"type":"read_ok","value":%d}`, final1), 103, 104)
	return h
}

func TestCounterValid(t *testing.T) {
	for _, name := range []string{"g-counter", "pn-counter"} {
		w := mustWorkload(t, name)
		// 7 certain, the unknown 2 either way: 7 or 9.
		res := w.Check(context.Background(), counterHistory(7, 9).run())
		wantVerdict(t, res, checker.Valid)
		if !strings.Contains(res.Summary(), "[7, 7] [9, 9]") {
			t.Fatalf("summary %q", res.Summary())
		}
	}
}

// TestCounterDoubleCountsRetriedAdd: a node applied the add of 4 twice
// (a retried delivery), so its final read is 11, which no subset allows.
func TestCounterDoubleCountsRetriedAdd(t *testing.T) {
	for _, name := range []string{"g-counter", "pn-counter"} {
		res := mustWorkload(t, name).Check(context.Background(), counterHistory(9, 11).run())
		wantAnomaly(t, res, checker.CounterOutOfBounds, []int{6}, "final read of n1 returned 11", "may hold [7, 7] [9, 9]")
		if res.Counts[checker.CounterOutOfBounds] != 1 {
			t.Fatalf("counts %v", res.Counts)
		}
	}
	// The failed add counts for nothing: 8 is impossible too.
	res := mustWorkload(t, "g-counter").Check(context.Background(), counterHistory(8, 7).run())
	wantAnomaly(t, res, checker.CounterOutOfBounds, []int{5}, "returned 8")
}

func TestCounterReadBeyondAdds(t *testing.T) {
	h := counterHistory(7, 7)
	h.ops[1].Output = `{"type":"read_ok","value":5}` // only the add of 3 was invoked before
	res := mustWorkload(t, "g-counter").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.CounterOutOfBounds, []int{1}, "read 5", "allow only [0, 3]")
}

func TestPNCounterNegative(t *testing.T) {
	h := &hist{}
	h.ok(1, "n0", "add", `{"delta":-5}`, `{}`, 1, 2)
	h.call(2, "n1", "add", `{"delta":-3}`, "", 3, 4, history.Info)
	h.ok(2, "n1", "add", `{"delta":4}`, `{}`, 5, 6)
	h.ok(1, "n0", "read", "", `{"value":-8}`, 7, 8)
	h.final(10)
	h.ok(0, "n0", "read", "", `{"value":-4}`, 11, 12)
	h.ok(0, "n1", "read", "", `{"value":-1}`, 13, 14)
	w := mustWorkload(t, "pn-counter")
	wantVerdict(t, w.Check(context.Background(), h.run()), checker.Valid)
	h.ops[5].Output = `{"value":-2}`
	wantAnomaly(t, w.Check(context.Background(), h.run()), checker.CounterOutOfBounds, []int{5}, "[-4, -4] [-1, -1]")
	// A g-counter never takes negative deltas: the request is malformed.
	wantVerdict(t, mustWorkload(t, "g-counter").Check(context.Background(), h.run()), checker.Invalid)
}

func TestCounterUnknown(t *testing.T) {
	w := mustWorkload(t, "g-counter")
	h := counterHistory(7, 7)
	h.ops[len(h.ops)-1].Outcome = history.Info
	res := w.Check(context.Background(), h.run())
	wantVerdict(t, res, checker.Unknown)
	if !strings.Contains(res.Reason, "n1") {
		t.Fatalf("reason %q", res.Reason)
	}
	h.events = nil
	wantVerdict(t, w.Check(context.Background(), h.run()), checker.Unknown)
}

func TestSubsetSums(t *testing.T) {
	for _, tc := range []struct {
		base   int64
		deltas []int64
		want   string
	}{
		{5, nil, "[5, 5]"},
		{0, []int64{1, 1, 1}, "[0, 3]"},
		{0, []int64{3, 3}, "[0, 0] [3, 3] [6, 6]"},
		{0, []int64{-2, 5}, "[-2, -2] [0, 0] [3, 3] [5, 5]"},
		{0, []int64{0, 2}, "[0, 0] [2, 2]"},
	} {
		if got := subsetSums(tc.base, tc.deltas).String(); got != tc.want {
			t.Errorf("subsetSums(%d, %v) = %s, want %s", tc.base, tc.deltas, got, tc.want)
		}
	}
	// Powers of two would double the spans at each step: the hull takes
	// over past maxSpans, admitting everything between.
	var pow []int64
	for i := range 40 {
		pow = append(pow, int64(3)<<i)
	}
	s := subsetSums(0, pow)
	if len(s) > maxSpans || !s.contains(0) || !s.contains(3*(1<<40-1)) {
		t.Fatalf("%d spans, %v..%v", len(s), s[0], s[len(s)-1])
	}
}

// TestCounterRepeatedFinalReads: the runner repeats final reads until the
// nodes agree; a stale earlier final read is an in-run read, and only
// each node's last one must hold a final value.
func TestCounterRepeatedFinalReads(t *testing.T) {
	h := counterHistory(3, 7) // n0's first final read is stale
	h.ok(0, "n0", "read", "", `{"type":"read_ok","value":7}`, 105, 106)
	h.ok(0, "n1", "read", "", `{"type":"read_ok","value":7}`, 107, 108)
	wantVerdict(t, mustWorkload(t, "g-counter").Check(context.Background(), h.run()), checker.Valid)
	// A last final read out of bounds is still caught, and so is an
	// earlier one beyond every add.
	h = counterHistory(12, 7)
	h.ok(0, "n0", "read", "", `{"type":"read_ok","value":11}`, 105, 106)
	res := mustWorkload(t, "g-counter").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.CounterOutOfBounds, []int{7}, "final read of n0 returned 11")
	if res.Counts[checker.CounterOutOfBounds] != 2 {
		t.Fatalf("counts %v", res.Counts)
	}
}
