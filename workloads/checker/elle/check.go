package elle

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"faultline/workloads/history"
)

// Options say what a history must satisfy.
type Options struct {
	// Models the history is expected to satisfy; an anomaly any of them
	// prohibits makes the verdict Invalid. Empty means strict-serializable
	// unless Anomalies is set (as Elle's :consistency-models).
	Models []Model
	// Anomalies names further anomalies that must not occur (Elle's
	// :anomalies): "G1" prohibits G1a, G1b, G1c and whatever implies them.
	Anomalies []string
	// Assumptions that widen what rw-register inference may conclude
	// about a key's version order (Elle's options of the same names):
	// WFRKeys, a transaction's write of a key follows its read of it;
	// SequentialKeys, each process sees a key's versions in order;
	// LinearizableKeys, each key is linearizable, so real time orders its
	// versions. An assumption that orders some key's versions in a cycle
	// is dropped and reported (cyclic-versions).
	WFRKeys, SequentialKeys, LinearizableKeys bool
}

// models returns the models checked, the default filled in.
func (o Options) models() []Model {
	if len(o.Models) == 0 && len(o.Anomalies) == 0 {
		return []Model{StrictSerializable}
	}
	return o.Models
}

// check is one run of the checker over one history.
type check struct {
	h     *history.Txns
	opts  Options
	kind  string
	edges edgeList
	g     *graph
	comps [][]int32
	found []Anomaly
	cut   int // cycle searches cut short by the budget
	la    *appendIndex
	rr    *registerIndex
}

// Check checks a transactional history, list-append or rw-register (as
// h.Kind says), against opts.
func Check(h *history.Txns, opts Options) *Result {
	start := time.Now()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	c := &check{h: h, kind: h.Kind(), opts: opts}
	want := prohibited(opts.models(), opts.Anomalies)
	res := &Result{Workload: c.kind, Txns: len(h.Txns), Keys: len(h.Keys), Models: opts.models(), Anomalies: nil}
	if err := h.Validate(); err != nil {
		res.Verdict, res.Reason = Unknown, err.Error()
		return res
	}
	switch c.kind {
	case "list-append":
		c.la = c.inferAppends()
	case "rw-register":
		c.rr = c.inferRegisters()
	default:
		res.Verdict, res.Reason = Unknown, "the history has neither appends nor writes: nothing to check"
		res.Elapsed = time.Since(start)
		return res
	}
	dataEdges := c.edges.n
	switch {
	case needsRealtime(want):
		c.realtimeEdges()
	case needsProcess(want):
		c.processEdges()
	}
	c.g = newGraph(len(h.Txns), &c.edges)
	c.edges = edgeList{}
	if c.g.edges() == 0 {
		c.add(Anomaly{Type: "empty-transaction-graph", Text: "no transaction depends on another: the history gives the cycle search nothing to work on"})
	}
	c.comps = sccs(c.g, WW|WR|RW|Process|Realtime, nil, nil)
	all := map[string]bool{}
	for _, s := range cycleSpecs {
		all[s.name] = true
	}
	c.findCycles(all)
	if c.cut > 0 {
		c.add(Anomaly{Type: "cycle-search-cut", Text: fmt.Sprintf("%d cycle searches ran out of budget before finding a cycle of the type sought", c.cut)})
	}
	res.fill(c, want)
	res.Stats = Stats{DataEdges: dataEdges, Edges: c.g.edges(), SCCs: len(c.comps)}
	for _, comp := range c.comps {
		res.Stats.LargestSCC = max(res.Stats.LargestSCC, len(comp))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.Stats.HeapBytes = ms.HeapInuse
	res.Stats.AllocBytes = ms.TotalAlloc - ms0.TotalAlloc
	res.Elapsed = time.Since(start)
	return res
}

// add records an anomaly.
func (c *check) add(a Anomaly) { c.found = append(c.found, a) }

// addCycle records a cycle anomaly, explaining each edge.
func (c *check) addCycle(typ string, cyc []step) {
	// Rotate so that the smallest transaction comes first: one cycle, one
	// rendering.
	lo := 0
	for i := range cyc {
		if cyc[i].txn < cyc[lo].txn {
			lo = i
		}
	}
	cyc = append(cyc[lo:], cyc[:lo]...)
	out := Cycle{Steps: make([]Step, len(cyc))}
	var parts []string
	for i, s := range cyc {
		next := cyc[(i+1)%len(cyc)].txn
		key, why := c.explain(s.txn, next, s.rel)
		t := &c.h.Txns[s.txn]
		out.Steps[i] = Step{Txn: int(s.txn), Index: t.Index, Op: c.h.TxnString(t), Rel: s.rel, Key: key, Why: why}
		parts = append(parts, why)
	}
	txns := make([]int, len(cyc))
	for i, s := range cyc {
		txns[i] = int(s.txn)
	}
	c.add(Anomaly{Type: typ, Txns: txns, Cycle: &out,
		Text: fmt.Sprintf("a cycle of %d transactions: %s", len(cyc), strings.Join(parts, "; "))})
}

// explain says why a precedes b by an edge of kind rel.
func (c *check) explain(a, b int32, rel Rel) (string, string) {
	ta, tb := &c.h.Txns[a], &c.h.Txns[b]
	switch rel {
	case Realtime:
		return "", fmt.Sprintf("%s completed before %s was invoked (real time)", c.name(a), c.name(b))
	case Process:
		return "", fmt.Sprintf("process %d ran %s, then %s", ta.Process, c.name(a), c.name(b))
	}
	if c.la != nil {
		return c.la.explain(c, a, b, rel)
	}
	return c.rr.explain(c, ta, tb, a, b, rel)
}

// name names a transaction for explanations: T plus its source :index.
func (c *check) name(t int32) string { return fmt.Sprintf("T%d", c.h.Txns[t].Index) }

// key names key k.
func (c *check) key(k int32) string { return c.h.Keys[k] }

// realtimeEdges links each transaction to those invoked after it
// completed, through the frontier of completed transactions that nothing
// completed after: the transitive reduction of real-time order, as Elle
// builds it.
func (c *check) realtimeEdges() {
	realtimeFrontier(c.h, func(yield func(int32) bool) {
		for i := range c.h.Txns {
			if !yield(int32(i)) {
				return
			}
		}
	}, func(a, b int32) { c.edges.add(edge{a, b, Realtime}) })
}

// realtimeFrontier emits a -> b for the transactions txns yields whenever
// a completed before b was invoked and no transaction among them completed
// in between (after a's completion and before b's invocation, having
// begun after a completed). An Info transaction never completes; a Fail
// one is skipped; a transaction whose invocation is unknown (Invoke < 0)
// follows nothing. Equal times are concurrent.
func realtimeFrontier(h *history.Txns, txns func(yield func(int32) bool), emit func(a, b int32)) {
	type ev struct {
		at     int64
		local  int32
		invoke bool
	}
	var ids []int32
	var evs []ev
	for t := range txns {
		tx := &h.Txns[t]
		if tx.Outcome == history.Fail {
			continue
		}
		l := int32(len(ids))
		ids = append(ids, t)
		if tx.Invoke >= 0 {
			evs = append(evs, ev{tx.Invoke, l, true})
		}
		if tx.Outcome == history.OK {
			evs = append(evs, ev{tx.Complete, l, false})
		}
	}
	slices.SortFunc(evs, func(a, b ev) int {
		switch {
		case a.at != b.at:
			if a.at < b.at {
				return -1
			}
			return 1
		case a.invoke != b.invoke:
			if a.invoke {
				return -1
			}
			return 1
		}
		return int(a.local - b.local)
	})
	pos := make([]int32, len(ids)) // index in frontier + 1
	var frontier []int32
	// A transaction's frontier at its invocation is preds[lo[l]:hi[l]].
	lo, hi := make([]int32, len(ids)), make([]int32, len(ids))
	var preds []int32
	for _, e := range evs {
		if e.invoke {
			lo[e.local] = int32(len(preds))
			for _, a := range frontier {
				preds = append(preds, a)
				emit(ids[a], ids[e.local])
			}
			hi[e.local] = int32(len(preds))
			continue
		}
		for _, a := range preds[lo[e.local]:hi[e.local]] {
			if p := pos[a]; p > 0 {
				last := frontier[len(frontier)-1]
				frontier[p-1] = last
				pos[last] = p
				frontier = frontier[:len(frontier)-1]
				pos[a] = 0
			}
		}
		frontier = append(frontier, e.local)
		pos[e.local] = int32(len(frontier))
	}
}

// processEdges links each process's transactions in order.
func (c *check) processEdges() {
	last := map[int]int32{}
	idx := make([]int32, 0, len(c.h.Txns))
	for i := range c.h.Txns {
		if c.h.Txns[i].Outcome != history.Fail {
			idx = append(idx, int32(i))
		}
	}
	slices.SortStableFunc(idx, func(a, b int32) int {
		ta, tb := &c.h.Txns[a], &c.h.Txns[b]
		if ta.Invoke != tb.Invoke {
			if ta.Invoke < tb.Invoke {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	for _, i := range idx {
		p := c.h.Txns[i].Process
		if prev, ok := last[p]; ok {
			c.edges.add(edge{prev, i, Process})
		}
		last[p] = i
	}
}
