package checker

import (
	"slices"
	"sort"
	"testing"

	"faultline/internal/testseed"
	"faultline/workloads/history"
)

// testSeed returns the seed for a randomized test: -seed, or the fixed
// default; it is logged, so that -seed replays a failure.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	return testseed.Or(t, 20240601)
}

// Injections of single anomalies into a valid one-key append history. Each
// returns a modified copy and the index of the op the anomaly is about; the
// construction guarantees that exactly one op shows exactly that anomaly.

func cloneOps(ops []history.Op) []history.Op { return slices.Clone(ops) }

// withOutput returns a copy of ops in which op i returned output, and i.
func withOutput(ops []history.Op, i int32, output string) ([]history.Op, int) {
	out := cloneOps(ops)
	out[i].Output = output
	return out, int(i)
}

// injectMissedAppend cuts a read short by its last token, whose append had
// completed before the read began.
func injectMissedAppend(t testing.TB, ops []history.Op) ([]history.Op, int) {
	c := analyse(ops)
	for _, r := range c.reads {
		if r.k == 0 {
			continue
		}
		if a := c.chain[r.k]; a >= 0 && c.retOf(a) < ops[r.op].Invoke {
			return withOutput(ops, r.op, c.s[:c.ends[r.k-1]])
		}
	}
	t.Fatal("no read to make miss a completed append")
	return nil, 0
}

// injectStaleRead makes a read return less than a read that completed before
// it began, while every append it now misses was still in flight.
func injectStaleRead(t testing.TB, ops []history.Op) ([]history.Op, int) {
	c := analyse(ops)
	n := len(c.toks)
	sufMin := make([]int64, n+2)
	sufMin[n+1] = inf
	for p := n; p >= 1; p-- {
		sufMin[p] = sufMin[p+1]
		if a := c.chain[p]; a >= 0 {
			sufMin[p] = min(sufMin[p], c.retOf(a))
		}
	}
	byRet := slices.Clone(c.reads)
	sort.Slice(byRet, func(i, j int) bool { return ops[byRet[i].op].Complete < ops[byRet[j].op].Complete })
	byInv := slices.Clone(c.reads)
	sort.Slice(byInv, func(i, j int) bool { return ops[byInv[i].op].Invoke < ops[byInv[j].op].Invoke })
	j, maxK := 0, int32(0)
	for _, r2 := range byInv {
		inv := ops[r2.op].Invoke
		for j < len(byRet) && ops[byRet[j].op].Complete < inv {
			maxK = max(maxK, byRet[j].k)
			j++
		}
		if maxK >= 1 && r2.k >= maxK && sufMin[maxK] >= inv {
			return withOutput(ops, r2.op, c.s[:c.ends[maxK-1]])
		}
	}
	t.Fatal("no read to make stale")
	return nil, 0
}

// injectLostAppend removes an acknowledged append near the end of the order
// from every read, choosing one that some read began after it completed.
func injectLostAppend(t testing.TB, ops []history.Op) ([]history.Op, int) {
	c := analyse(ops)
	n := len(c.toks)
	for p := n; p >= 1 && p > n-200; p-- {
		a := c.chain[p]
		if a < 0 || ops[a].Outcome != history.OK {
			continue
		}
		later := false
		for _, r := range c.reads {
			later = later || ops[r.op].Invoke > ops[a].Complete
		}
		if !later {
			continue
		}
		gap := c.ends[p] - c.ends[p-1]
		out := rewrite(ops, c, c.s[:c.ends[p-1]]+c.s[c.ends[p]:], func(r readPos) int {
			if int(r.k) >= p {
				return c.ends[r.k] - gap
			}
			return c.ends[r.k]
		})
		return out, int(a)
	}
	t.Fatal("no append to lose")
	return nil, 0
}

// injectDuplicate repeats the first token at the end of the read that saw
// everything and completed last (so no read began after it).
func injectDuplicate(t testing.TB, ops []history.Op) ([]history.Op, int) {
	c := analyse(ops)
	n := int32(len(c.toks))
	last := int32(-1)
	for _, r := range c.reads {
		if r.k == n && n > 0 && (last < 0 || ops[r.op].Complete > ops[last].Complete) {
			last = r.op
		}
	}
	if last < 0 {
		t.Fatal("no token to duplicate")
	}
	newS := c.s + c.tok(1)
	out := rewrite(ops, c, newS, func(r readPos) int {
		if r.op == last {
			return len(newS)
		}
		return c.ends[r.k]
	})
	return out, int(last)
}

// rewrite gives every read of the analysed key the value newS[:newLen(r)],
// so that all reads keep sharing one backing string (as reads sliced from
// one growing value do); the check then compares them in O(1).
func rewrite(ops []history.Op, c *keyCheck, newS string, newLen func(r readPos) int) []history.Op {
	out := cloneOps(ops)
	for _, r := range c.reads {
		out[r.op].Output = newS[:newLen(r)]
	}
	return out
}

// injectReorder swaps two adjacent appends that real time ordered, in every
// read that saw both; no read saw exactly the first of them.
func injectReorder(t testing.TB, ops []history.Op) ([]history.Op, int) {
	c := analyse(ops)
	n := len(c.toks)
	atK := map[int32]bool{}
	for _, r := range c.reads {
		atK[r.k] = true
	}
	for i := n - 1; i >= 1 && i > n-2000; i-- {
		a, b := c.chain[i], c.chain[i+1]
		if a < 0 || b < 0 || atK[int32(i)] || !(c.retOf(a) < ops[b].Invoke) {
			continue
		}
		newS := c.s[:c.ends[i-1]] + c.tok(int32(i+1)) + c.tok(int32(i)) + c.s[c.ends[i+1]:]
		out := rewrite(ops, c, newS, func(r readPos) int { return c.ends[r.k] })
		return out, int(b)
	}
	t.Fatal("no pair of appends to reorder")
	return nil, 0
}

// injectIncomparable swaps two tokens in one short read only, so that it
// disagrees with the longest read on their order.
func injectIncomparable(t testing.TB, ops []history.Op) ([]history.Op, int) {
	c := analyse(ops)
	for _, r := range c.reads {
		if r.k >= 2 && r.k < 50 && r.op != c.sRead {
			return withOutput(ops, r.op, c.tok(2)+c.tok(1)+ops[r.op].Output[c.ends[2]:])
		}
	}
	t.Fatal("no read to garble")
	return nil, 0
}

// injectFutureRead makes a read also see the next append, which was invoked
// after the read completed; no read that saw as much or less began after
// it, so nothing else becomes stale.
func injectFutureRead(t testing.TB, ops []history.Op) ([]history.Op, int) {
	c := analyse(ops)
	n := len(c.toks)
	maxInvUpTo := make([]int64, n+1)
	for i := range maxInvUpTo {
		maxInvUpTo[i] = negInf
	}
	for _, r := range c.reads {
		maxInvUpTo[r.k] = max(maxInvUpTo[r.k], ops[r.op].Invoke)
	}
	for k := 1; k <= n; k++ {
		maxInvUpTo[k] = max(maxInvUpTo[k], maxInvUpTo[k-1])
	}
	for _, r := range c.reads {
		if int(r.k) >= n {
			continue
		}
		a := c.chain[r.k+1]
		if a >= 0 && ops[a].Invoke > ops[r.op].Complete && maxInvUpTo[r.k] <= ops[r.op].Complete {
			return withOutput(ops, r.op, c.s[:c.ends[r.k+1]])
		}
	}
	t.Fatal("no read to send to the future")
	return nil, 0
}
