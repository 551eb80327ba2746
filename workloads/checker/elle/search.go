package elle

// rwRule is what a cycle's anti-dependency (rw) edges must look like.
type rwRule uint8

const (
	rwAny    rwRule = iota // no constraint
	rwOne                  // exactly one rw edge
	rwNonAdj               // two or more, no two adjacent (around the cycle too)
	rwAdj                  // two or more, some two adjacent
)

// spec describes the cycles of one anomaly type: the edge labels it may use,
// the labels it must use at least once each, and its rule on rw edges.
type spec struct {
	name  string
	allow Rel
	need  Rel
	rw    rwRule
}

// step is one transaction of a cycle and the kind of the edge from it to
// the next (the last step's edge closes the cycle).
type step struct {
	txn int32
	rel Rel
}

// State bits of the cycle search.
const (
	stRWCount = 3 << 0 // rw edges so far: 0, 1, 2 (two or more)
	stLastRW  = 1 << 2 // the last edge was rw
	stFirstRW = 1 << 3 // the first edge was rw
	stAdj     = 1 << 4 // two adjacent rw edges were seen
	stNeed    = 5      // need bits start here, one per bit of spec.need
	numStates = 1 << 7
)

// searchBudget bounds the states one cycle search of one component
// expands; past it the shortest cycle found so far stands, and a search
// that found none says so (searchCut).
const searchBudget = 1 << 21

// needBit maps each kind of spec.need to its state bit.
func (s *spec) needBits(lab Rel) uint8 {
	var b uint8
	i := 0
	for r := Rel(1); r != 0 && r <= Realtime; r <<= 1 {
		if s.need&r == 0 {
			continue
		}
		if lab == r {
			b |= 1 << (stNeed + i)
		}
		i++
	}
	return b
}

func (s *spec) allNeed() uint8 {
	var b uint8
	i := 0
	for r := Rel(1); r != 0 && r <= Realtime; r <<= 1 {
		if s.need&r != 0 {
			b |= 1 << (stNeed + i)
			i++
		}
	}
	return b
}

// advance returns the state after taking an edge labelled lab from state
// st, or false when the spec forbids it.
func (s *spec) advance(st uint8, lab Rel, first bool) (uint8, bool) {
	isRW := lab == RW
	n := st & stRWCount
	if isRW && n < 2 {
		n++
	}
	switch s.rw {
	case rwOne:
		if n > 1 {
			return 0, false
		}
	case rwNonAdj:
		if isRW && st&stLastRW != 0 {
			return 0, false
		}
	case rwAdj:
		if isRW && st&stLastRW != 0 {
			st |= stAdj
		}
	}
	st = st&^(stRWCount|stLastRW) | n
	if isRW {
		st |= stLastRW
		if first {
			st |= stFirstRW
		}
	}
	return st | s.needBits(lab), true
}

// accepts reports whether a cycle closing in state st is of the spec's type.
func (s *spec) accepts(st uint8) bool {
	need := s.allNeed()
	if st&need != need {
		return false
	}
	n := st & stRWCount
	wrap := st&stLastRW != 0 && st&stFirstRW != 0
	switch s.rw {
	case rwOne:
		return n == 1
	case rwNonAdj:
		return n == 2 && !wrap
	case rwAdj:
		return n == 2 && (st&stAdj != 0 || wrap)
	}
	return true
}

// sub is the subgraph induced by one component, with local vertex ids.
type sub struct {
	g     *graph
	verts []int32 // local id -> transaction
}

func subgraph(g *graph, comp []int32) *sub {
	local := make(map[int32]int32, len(comp))
	for i, v := range comp {
		local[v] = int32(i)
	}
	var edges edgeList
	for i, v := range comp {
		for j := g.start[v]; j < g.start[v+1]; j++ {
			if w, ok := local[g.to[j]]; ok {
				edges.add(edge{int32(i), w, g.rel[j]})
			}
		}
	}
	return &sub{g: newGraph(len(comp), &edges), verts: comp}
}

// labelGraph keeps, of each edge, only its label, and drops edges whose
// label the mask excludes.
func labelGraph(g *graph, mask Rel) *graph {
	var edges edgeList
	for v := int32(0); int(v) < g.n(); v++ {
		for j := g.start[v]; j < g.start[v+1]; j++ {
			if l := g.rel[j].Label(); l&mask != 0 {
				edges.add(edge{v, g.to[j], l})
			}
		}
	}
	return newGraph(g.n(), &edges)
}

// shortestCycle finds a shortest cycle of spec s in the component sg (by
// number of edges; ties go to the smallest start, then to the first
// edges in target order). cut is true when the budget ran out first.
func shortestCycle(sg *sub, s *spec) (best []step, cut bool) {
	lg := labelGraph(sg.g, s.allow)
	m := lg.n()
	budget := searchBudget
	for _, comp := range sccs(lg, s.allow, nil, nil) {
		if s.need&^relsIn(lg, comp) != 0 {
			continue // a label it needs is not inside this component
		}
		in := make([]bool, m)
		for _, v := range comp {
			in[v] = true
		}
		seen := newVisited(m)
		for _, start := range comp {
			if len(best) == 2 {
				return globalSteps(best, sg), false // none is shorter
			}
			c, used := bfsCycle(lg, s, start, in, seen, best, budget)
			budget -= used
			if c != nil {
				best = c
			}
			if budget <= 0 {
				return globalSteps(best, sg), best == nil
			}
		}
	}
	return globalSteps(best, sg), false
}

func globalSteps(c []step, sg *sub) []step {
	for i := range c {
		c[i].txn = sg.verts[c[i].txn]
	}
	return c
}

// relsIn returns the labels of the edges inside comp.
func relsIn(g *graph, comp []int32) Rel {
	in := make(map[int32]bool, len(comp))
	for _, v := range comp {
		in[v] = true
	}
	var r Rel
	for _, v := range comp {
		for j := g.start[v]; j < g.start[v+1]; j++ {
			if in[g.to[j]] {
				r |= g.rel[j]
			}
		}
	}
	return r
}

// visited marks (vertex, state) pairs, cleared per search by an epoch.
type visited struct {
	epoch uint32
	stamp []uint32
	big   map[uint32]struct{}
}

func newVisited(m int) *visited {
	if m*numStates <= 1<<22 {
		return &visited{stamp: make([]uint32, m*numStates)}
	}
	return &visited{}
}

func (v *visited) reset() {
	v.epoch++
	if v.stamp == nil {
		v.big = map[uint32]struct{}{}
	}
}

// mark marks (w, st) and reports whether it was unmarked.
func (v *visited) mark(w int32, st uint8) bool {
	i := uint32(w)*numStates + uint32(st)
	if v.stamp != nil {
		if v.stamp[i] == v.epoch {
			return false
		}
		v.stamp[i] = v.epoch
		return true
	}
	if _, ok := v.big[i]; ok {
		return false
	}
	v.big[i] = struct{}{}
	return true
}

// bfsCycle searches breadth first from start for a cycle of spec s back to
// start, within in, shorter than best. It returns the cycle (nil if none)
// and the number of states it expanded.
func bfsCycle(g *graph, s *spec, start int32, in []bool, seen *visited, best []step, budget int) ([]step, int) {
	type node struct {
		v      int32
		st     uint8
		rel    Rel   // edge that led here
		parent int32 // index in nodes; -1 for the start
		depth  int32
	}
	seen.reset()
	nodes := []node{{v: start, parent: -1}}
	used := 0
	for head := 0; head < len(nodes); head++ {
		n := nodes[head]
		if best != nil && int(n.depth)+1 >= len(best) {
			break // nothing shorter can come from here on
		}
		used++
		if used > budget {
			break
		}
		for j := g.start[n.v]; j < g.start[n.v+1]; j++ {
			w := g.to[j]
			if !in[w] {
				continue
			}
			lab := g.rel[j]
			st, ok := s.advance(n.st, lab, n.parent < 0)
			if !ok {
				continue
			}
			if w == start {
				if !s.accepts(st) {
					continue
				}
				c := make([]step, n.depth+1)
				c[n.depth] = step{n.v, lab}
				for k, p := n, int(head); p > 0; {
					parent := nodes[k.parent]
					c[parent.depth] = step{parent.v, k.rel}
					p = int(k.parent)
					k = parent
				}
				return c, used
			}
			if !seen.mark(w, st) {
				continue
			}
			nodes = append(nodes, node{v: w, st: st, rel: lab, parent: int32(head), depth: n.depth + 1})
		}
	}
	return nil, used
}
