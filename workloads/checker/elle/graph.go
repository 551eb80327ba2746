package elle

import (
	"fmt"
	"slices"
	"strings"
)

// Rel is a set of dependency kinds between two transactions, as bits.
type Rel uint8

// Dependency kinds. An edge may carry several; Label picks the one that
// explains it.
const (
	// WW: the target overwrote (appended after) the source's write.
	WW Rel = 1 << iota
	// WR: the target read the source's write.
	WR
	// RW: the source read a state the target's write replaced.
	RW
	// Process: one process ran the source, then the target.
	Process
	// Realtime: the source completed before the target was invoked.
	Realtime
)

var relNames = [...]string{"ww", "wr", "rw", "process", "realtime"}

// Label returns the one kind that explains an edge carrying r: the first
// of ww, wr, rw, process, realtime present, as Elle's explainers are tried
// (a data dependency explains an edge before real time does).
func (r Rel) Label() Rel { return r & -r }

// String names a single kind ("ww"), or lists a set ("ww|realtime").
func (r Rel) String() string {
	s := ""
	for i, n := range relNames {
		if r&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	if s == "" {
		return "none"
	}
	return s
}

// MarshalText implements encoding.TextMarshaler.
func (r Rel) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: the inverse of
// MarshalText, so that a results.json that carries cycles reads back.
func (r *Rel) UnmarshalText(b []byte) error {
	var out Rel
	for _, part := range strings.Split(string(b), "|") {
		i := slices.Index(relNames[:], part)
		if i < 0 && part != "none" {
			return fmt.Errorf("elle: unknown dependency kind %q", part)
		}
		if i >= 0 {
			out |= 1 << i
		}
	}
	*r = out
	return nil
}

// edge is one dependency while the graph is being built.
type edge struct {
	from, to int32
	rel      Rel
}

// graph is a directed graph over transaction indexes in compressed sparse
// row form: the out-edges of v are to[start[v]:start[v+1]], sorted by
// target, each target once, with the union of the kinds linking them.
type graph struct {
	start []int32
	to    []int32
	rel   []Rel
}

// newGraph builds the graph of n vertices from edges (any order,
// duplicates allowed, no self-edges).
func newGraph(n int, el *edgeList) *graph {
	g := &graph{start: make([]int32, n+1)}
	for _, ch := range el.chunks {
		for _, e := range ch {
			g.start[e.from+1]++
		}
	}
	for v := 0; v < n; v++ {
		g.start[v+1] += g.start[v]
	}
	to := make([]int32, el.n)
	rel := make([]Rel, el.n)
	fill := slices.Clone(g.start[:n])
	for _, ch := range el.chunks {
		for _, e := range ch {
			i := fill[e.from]
			fill[e.from]++
			to[i], rel[i] = e.to, e.rel
		}
	}
	// Sort each row by target and merge duplicates, compacting in place.
	w := int32(0)
	for v := 0; v < n; v++ {
		lo, hi := g.start[v], g.start[v+1]
		g.start[v] = w
		row, rrow := to[lo:hi], rel[lo:hi]
		if len(row) > 1 && !sortedInt32(row) {
			sortRow(row, rrow)
		}
		for i := range row {
			if i > 0 && row[i] == to[w-1] && w > g.start[v] {
				rel[w-1] |= rrow[i]
				continue
			}
			to[w], rel[w] = row[i], rrow[i]
			w++
		}
	}
	g.start[n] = w
	g.to, g.rel = to[:w:w], rel[:w:w]
	return g
}

func sortedInt32(s []int32) bool {
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return false
		}
	}
	return true
}

// sortRow sorts one row's targets, carrying their kinds along, in place:
// insertion sort for the short rows that are the rule, a heap sort
// (no allocation, n log n) for long ones.
func sortRow(to []int32, rel []Rel) {
	if len(to) <= 24 {
		for i := 1; i < len(to); i++ {
			t, r := to[i], rel[i]
			j := i
			for ; j > 0 && to[j-1] > t; j-- {
				to[j], rel[j] = to[j-1], rel[j-1]
			}
			to[j], rel[j] = t, r
		}
		return
	}
	n := len(to)
	down := func(i, n int) {
		for {
			c := 2*i + 1
			if c >= n {
				return
			}
			if c+1 < n && to[c+1] > to[c] {
				c++
			}
			if to[i] >= to[c] {
				return
			}
			to[i], to[c] = to[c], to[i]
			rel[i], rel[c] = rel[c], rel[i]
			i = c
		}
	}
	for i := n/2 - 1; i >= 0; i-- {
		down(i, n)
	}
	for end := n - 1; end > 0; end-- {
		to[0], to[end] = to[end], to[0]
		rel[0], rel[end] = rel[end], rel[0]
		down(0, end)
	}
}

// n returns the number of vertices.
func (g *graph) n() int { return len(g.start) - 1 }

// edges returns the number of (merged) edges.
func (g *graph) edges() int { return len(g.to) }

// edgeChunk bounds the size of an edgeList chunk: growing the list never
// copies more than one chunk's edges, and small lists (one per component
// or key) stay small.
const edgeChunk = 1 << 12

// edgeList collects edges in chunks that double up to edgeChunk.
type edgeList struct {
	chunks [][]edge
	n      int
}

func (l *edgeList) add(e edge) {
	if len(l.chunks) == 0 {
		l.chunks = append(l.chunks, make([]edge, 0, 16))
	}
	c := &l.chunks[len(l.chunks)-1]
	if len(*c) == cap(*c) {
		if cap(*c) < edgeChunk {
			*c = append(*c, e) // grows, doubling, up to edgeChunk
			l.n++
			return
		}
		l.chunks = append(l.chunks, make([]edge, 0, edgeChunk))
		c = &l.chunks[len(l.chunks)-1]
	}
	*c = append(*c, e)
	l.n++
}
