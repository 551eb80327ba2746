package elle

// cycleSpecs are the cycle anomalies, searched in this order (Elle's:
// pure data dependencies from the most severe, then the same with process
// order, then with real time). A type implied by one already found in the
// component is not searched.
var cycleSpecs = func() []spec {
	base := []spec{
		{name: "G0", allow: WW},
		{name: "G1c", allow: WW | WR, need: WR},
		{name: "G-single-item", allow: WW | WR | RW, rw: rwOne},
		{name: "G-nonadjacent-item", allow: WW | WR | RW, rw: rwNonAdj},
		{name: "G2-item", allow: WW | WR | RW, rw: rwAdj},
	}
	out := append([]spec(nil), base...)
	for _, v := range []struct {
		rel    Rel
		suffix string
	}{{Process, "-process"}, {Realtime, "-realtime"}} {
		for _, s := range base {
			s.name += v.suffix
			s.allow |= v.rel
			s.need |= v.rel
			out = append(out, s)
		}
	}
	return out
}()

// Cycle is an anomaly's cycle: transactions, each followed by the
// dependency that orders it before the next (the last one's before the
// first), with the reason in words.
type Cycle struct {
	Steps []Step `json:"steps"`
}

// Step is one transaction of a cycle and its edge to the next.
type Step struct {
	// Txn indexes the transaction in the checked history (Txns.Txns).
	Txn int `json:"txn"`
	// Index is the transaction's :index in its source history.
	Index int64 `json:"index"`
	// Op renders the transaction ("[[:append :x 1] [:r :y [1]]]"), reads
	// of more than 8 elements shortened to their ends and length.
	Op string `json:"op"`
	// Rel is the dependency from this transaction to the next: ww, wr, rw,
	// process or realtime.
	Rel Rel `json:"rel"`
	// Key is the key of a data dependency ("" for process and real time).
	Key string `json:"key,omitempty"`
	// Why explains the dependency in words.
	Why string `json:"why"`
}

// findCycles searches every component of more than one transaction for
// the cycle anomalies in want, shortest cycle per type and component.
func (c *check) findCycles(want map[string]bool) {
	for _, comp := range c.comps {
		sg := subgraph(c.g, comp)
		redundant := map[string]bool{}
		for i := range cycleSpecs {
			s := &cycleSpecs[i]
			if redundant[s.name] || !want[s.name] {
				continue
			}
			cyc, cut := shortestCycle(sg, s)
			if cut {
				c.cut++
			}
			if cyc == nil {
				continue
			}
			c.addCycle(s.name, cyc)
			for a := range allImplied([]string{s.name}) {
				redundant[a] = true
			}
		}
	}
}
