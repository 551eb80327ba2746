package maelstrom

import (
	"fmt"
	"sort"
	"strings"
)

// span is a closed interval of integers.
type span struct{ lo, hi int64 }

// spans is a set of integers as sorted, disjoint, non-adjacent spans.
type spans []span

// subsetSums returns the set {base + sum of any subset of deltas}: the
// values a counter may hold when base is certain and each delta may or may
// not have been applied. Each step unites the set with itself shifted by
// one delta, merging spans that touch, so many small deltas soon fill one
// span, as Maelstrom's range set does.
//
// Hostile deltas (powers of ten, say) could double the number of spans at
// every step; past maxSpans the set is widened to its hull, which only
// admits more values, so a check never turns invalid for it.
func subsetSums(base int64, deltas []int64) spans {
	s := spans{{base, base}}
	for _, d := range deltas {
		if d == 0 {
			continue
		}
		shifted := make(spans, len(s))
		for i, sp := range s {
			shifted[i] = span{sp.lo + d, sp.hi + d}
		}
		s = union(s, shifted)
		if len(s) > maxSpans {
			s = spans{{s[0].lo, s[len(s)-1].hi}}
		}
	}
	return s
}

// maxSpans bounds the spans subsetSums keeps exactly.
const maxSpans = 1024

// union merges two span sets.
func union(a, b spans) spans {
	all := append(append(make(spans, 0, len(a)+len(b)), a...), b...)
	sort.Slice(all, func(i, j int) bool { return all[i].lo < all[j].lo })
	out := spans{}
	for _, sp := range all {
		if n := len(out); n > 0 && sp.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, sp.hi)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// contains reports whether v is in s.
func (s spans) contains(v int64) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].hi >= v })
	return i < len(s) && s[i].lo <= v
}

// String writes s as "[3, 7] [9, 9]".
func (s spans) String() string {
	parts := make([]string, len(s))
	for i, sp := range s {
		parts[i] = fmt.Sprintf("[%d, %d]", sp.lo, sp.hi)
	}
	return strings.Join(parts, " ")
}
