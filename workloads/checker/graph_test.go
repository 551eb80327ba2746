package checker

import (
	"math/rand/v2"
	"slices"
	"testing"

	"faultline/workloads/history"
)

// The naive twins of the rank sweep: build the precedence graph of one key
// explicitly, with version-order edges and real-time edges either through
// barrier nodes (the O(n) frontier construction) or between every pair
// (quadratic), and test it for a cycle.

type graph struct {
	adj [][]int32
}

func (g *graph) node() int32 {
	g.adj = append(g.adj, nil)
	return int32(len(g.adj) - 1)
}

func (g *graph) edge(a, b int32) { g.adj[a] = append(g.adj[a], b) }

// acyclic runs Kahn's algorithm.
func (g *graph) acyclic() bool {
	indeg := make([]int32, len(g.adj))
	for _, out := range g.adj {
		for _, b := range out {
			indeg[b]++
		}
	}
	var queue []int32
	for v, d := range indeg {
		if d == 0 {
			queue = append(queue, int32(v))
		}
	}
	seen := 0
	for len(queue) > 0 {
		v := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		seen++
		for _, b := range g.adj[v] {
			if indeg[b]--; indeg[b] == 0 {
				queue = append(queue, b)
			}
		}
	}
	return seen == len(g.adj)
}

// precedenceGraph builds the graph of an analysed key; real lists the nodes
// that are ops, with their op indexes.
func precedenceGraph(c *keyCheck, quadratic bool) bool {
	var g graph
	type real struct {
		node     int32
		inv, ret int64
	}
	var reals []real
	n := len(c.toks)
	pos := make([]int32, n+1) // node at each position (a ghost gets a bare node)
	for p := 1; p <= n; p++ {
		pos[p] = g.node()
		if op := c.chain[p]; op >= 0 {
			reals = append(reals, real{pos[p], c.ops[op].Invoke, c.retOf(op)})
		}
		if p > 1 {
			g.edge(pos[p-1], pos[p])
		}
	}
	tail := g.node()
	if n > 0 {
		g.edge(pos[n], tail)
	}
	for _, r := range c.reads {
		v := g.node()
		reals = append(reals, real{v, c.ops[r.op].Invoke, c.ops[r.op].Complete})
		if r.k > 0 {
			g.edge(pos[r.k], v)
		}
		if int(r.k) < n {
			g.edge(v, pos[r.k+1])
		} else {
			g.edge(v, tail)
		}
	}
	for _, a := range c.appends {
		if a.pos == 0 && c.ops[a.op].Outcome == history.OK {
			v := g.node()
			reals = append(reals, real{v, c.ops[a.op].Invoke, c.ops[a.op].Complete})
			g.edge(tail, v)
		}
	}
	if quadratic {
		for _, a := range reals {
			for _, b := range reals {
				if a.ret < b.inv {
					g.edge(a.node, b.node)
				}
			}
		}
		return g.acyclic()
	}
	// One barrier per distinct completion time, chained in time order. An op
	// links into the barrier of its completion and out of the last barrier
	// strictly before its invocation, so a reaches b through barriers iff
	// a.ret < b.inv.
	var times []int64
	for _, r := range reals {
		if r.ret != inf {
			times = append(times, r.ret)
		}
	}
	slices.Sort(times)
	times = slices.Compact(times)
	barrier := make([]int32, len(times))
	for i := range times {
		barrier[i] = g.node()
		if i > 0 {
			g.edge(barrier[i-1], barrier[i])
		}
	}
	for _, r := range reals {
		if r.ret != inf {
			i, _ := slices.BinarySearch(times, r.ret)
			g.edge(r.node, barrier[i])
		}
		if j, _ := slices.BinarySearch(times, r.inv); j > 0 {
			g.edge(barrier[j-1], r.node)
		}
	}
	return g.acyclic()
}

// sweepOK reports whether the sweep found no real-time violation.
func sweepOK(c *keyCheck) bool {
	for _, k := range []AnomalyKind{StaleRead, FutureRead, LostAppend, ReorderedAppends} {
		if c.res.counts[k] > 0 {
			return false
		}
	}
	return true
}

func analyse(ops []history.Op) *keyCheck {
	idx := make([]int32, len(ops))
	for i := range idx {
		idx[i] = int32(i)
	}
	c := &keyCheck{key: "k0", ops: ops, sRead: -1, badAt: -1}
	if err := c.collect(idx); err != nil {
		panic(err)
	}
	c.placeReads(idx)
	c.buildChain()
	c.sweep()
	return c
}

// TestSweepMatchesGraphs checks the rank sweep against both explicit graphs
// on many small random histories, valid and corrupted.
func TestSweepMatchesGraphs(t *testing.T) {
	seed := testSeed(t)
	n := 4000
	if testing.Short() {
		n = 500
	}
	r := rand.New(rand.NewPCG(seed, 1))
	cyclic := 0
	for i := range n {
		cfg := simConfig{seed: seed + uint64(i), workload: appendWorkload, clients: 1 + r.IntN(5), ops: 2 + r.IntN(40), readFrac: 0.5, infoFrac: 0.1, failFrac: 0.05}
		ops := simulate(cfg)
		what := "valid"
		for range r.IntN(3) {
			what, ops = corrupt(ops, r)
		}
		c := analyse(ops)
		sweep, sparse, quad := sweepOK(c), precedenceGraph(c, false), precedenceGraph(c, true)
		if sweep != sparse || sparse != quad {
			t.Fatalf("seed %d case %d (%s): sweep %v, barrier graph %v, quadratic graph %v\nhistory: %v", seed, i, what, sweep, sparse, quad, ops)
		}
		if !sweep {
			cyclic++
		}
	}
	if cyclic < n/10 || cyclic > n*9/10 {
		t.Fatalf("only %d of %d cases had a cycle; the test needs both kinds", cyclic, n)
	}
	t.Logf("%d of %d histories cyclic", cyclic, n)
}

// TestBarrierGraphLarge runs the barrier graph on a big valid history and on
// the same history with one stale read.
func TestBarrierGraphLarge(t *testing.T) {
	ops := simulate(simConfig{seed: testSeed(t), workload: appendWorkload, clients: 32, ops: 50_000, readFrac: 0.5, infoFrac: 0.01, failFrac: 0.01})
	if c := analyse(ops); !sweepOK(c) || !precedenceGraph(c, false) {
		t.Fatalf("valid history: sweep %v, graph %v", sweepOK(c), precedenceGraph(c, false))
	}
	bad, i := injectMissedAppend(t, ops)
	if c := analyse(bad); sweepOK(c) || precedenceGraph(c, false) {
		t.Fatalf("stale read at op %d: sweep ok %v, graph acyclic %v", i, sweepOK(c), precedenceGraph(c, false))
	}
}
