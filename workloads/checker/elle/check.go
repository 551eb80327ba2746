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
		out.Steps[i] = Step{Txn: int(s.txn), Index: t.Index, Op: c.showTxn(t), Rel: s.rel, Key: key, Why: why}
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
	realtimeFrontier(c.h, len(c.h.Txns), func(yield func(int32) bool) {
		for i := range c.h.Txns {
			if !yield(int32(i)) {
				return
			}
		}
	}, func(a, b int32) { c.edges.add(edge{a, b, Realtime}) })
}

// realtimeFrontier emits a -> b for the transactions txns yields whenever
// a completed before b was invoked and a is in the frontier then: no
// transaction completed after a's completion that had been invoked after
// it. An Info transaction never completes; a Fail one is skipped; a
// transaction whose invocation is unknown (Invoke < 0) follows nothing.
// Equal times are concurrent. size hints how many txns will be yielded.
func realtimeFrontier(h *history.Txns, size int, txns func(yield func(int32) bool), emit func(a, b int32)) {
	type ev struct {
		at     int64
		txn    int32
		invoke bool
	}
	evs := make([]ev, 0, 2*size)
	for t := range txns {
		tx := &h.Txns[t]
		if tx.Outcome == history.Fail {
			continue
		}
		if tx.Invoke >= 0 {
			evs = append(evs, ev{tx.Invoke, t, true})
		}
		if tx.Outcome == history.OK {
			evs = append(evs, ev{tx.Complete, t, false})
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
		return int(a.txn - b.txn)
	})
	// The frontier holds mutually concurrent transactions, one per
	// process at most, so scanning it is cheap.
	var frontier []int32
	for _, e := range evs {
		if e.invoke {
			for _, a := range frontier {
				emit(a, e.txn)
			}
			continue
		}
		// b's completion retires what preceded b: the frontier members
		// that completed before b was invoked.
		inv := h.Txns[e.txn].Invoke
		w := 0
		for _, a := range frontier {
			if inv < 0 || h.Txns[a].Complete >= inv {
				frontier[w] = a
				w++
			}
		}
		frontier = append(frontier[:w], e.txn)
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

// maxShownElems bounds the elements of a list read shown in a cycle step;
// longer reads show their first and last few and their length.
const maxShownElems = 8

// showTxn renders t in Jepsen's notation with long reads shortened.
func (c *check) showTxn(t *history.Txn) string {
	parts := make([]string, len(t.Mops))
	for i, m := range t.Mops {
		if m.IsList && len(m.List) > maxShownElems {
			head := fmt.Sprint(m.List[:3])
			tail := fmt.Sprint(m.List[len(m.List)-3:])
			parts[i] = fmt.Sprintf("[:r %s [%s ... %s] (%d elements)]", c.key(m.Key), head[1:len(head)-1], tail[1:len(tail)-1], len(m.List))
			continue
		}
		parts[i] = c.h.MopString(m)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
