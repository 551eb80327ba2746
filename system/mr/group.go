package mr

import (
	"io"
	"slices"
)

// grouper collects the values of each key, the heart of a reduce task and of
// the sequential reference alike (both use it, so that comparing their
// times measures parallelism, not different algorithms). Grouping by hash
// and sorting only the distinct keys costs O(n + d log d) for n pairs and d
// keys, where sorting all pairs (the course's approach) costs O(n log n);
// the output is the same.
type grouper struct {
	groups  map[string]*[]string
	scratch groupScratch // addAll's
}

func newGrouper() *grouper { return &grouper{groups: make(map[string]*[]string)} }

// values returns the slice of key's values, made empty on first use, for
// the caller to append to.
func (g *grouper) values(key string) *[]string {
	p := g.groups[key]
	if p == nil {
		p = new([]string)
		g.groups[key] = p
	}
	return p
}

// reserve makes room for n more values of key, so that adding them does
// not regrow its slice.
func (g *grouper) reserve(key string, n int) {
	p := g.values(key)
	*p = slices.Grow(*p, n)
}

// addGroup records values under key (values is not kept).
func (g *grouper) addGroup(key string, values []string) {
	p := g.values(key)
	*p = append(*p, values...)
}

// addAll records every pair of kvs, grouping them first (groupByKey, with
// the grouper's scratch) so that the shared table sees one lookup and one
// append per key rather than per pair.
func (g *grouper) addAll(kvs []KeyValue) {
	keys, offsets, values := groupByKey(kvs, &g.scratch)
	for i, k := range keys {
		g.addGroup(k, values[offsets[i]:offsets[i+1]])
	}
}

// groupScratch holds groupByKey's two per-pair arrays for reuse by the
// next call, so that a worker's map tasks (or the sequential run's files)
// do not each allocate, zero and collect them afresh. Values left in it
// keep the last input's strings alive until the next call overwrites them.
type groupScratch struct {
	gid    []int32
	values []string
}

// groupByKey groups kvs by key: it returns the distinct keys in order of
// first appearance, and their values laid out contiguously, key i's being
// values[offsets[i]:offsets[i+1]] in the order emitted. It is a counting
// sort: one pass numbers the keys and counts their values, a second drops
// every value into its key's range. Both passes read kvs in order, which
// keeps them cache-friendly on large inputs. values lives in s (nil: fresh
// arrays) and is valid until the next call with s.
func groupByKey(kvs []KeyValue, s *groupScratch) (keys []string, offsets []int32, values []string) {
	if s == nil {
		s = &groupScratch{}
	}
	index := make(map[string]int32, 1024)
	gid := grow(s.gid, len(kvs))
	var counts []int32
	for i := range kvs {
		g, ok := index[kvs[i].Key]
		if !ok {
			g = int32(len(keys))
			index[kvs[i].Key] = g
			keys = append(keys, kvs[i].Key)
			counts = append(counts, 0)
		}
		gid[i] = g
		counts[g]++
	}
	offsets = make([]int32, len(keys)+1)
	for g, n := range counts {
		offsets[g+1] = offsets[g] + n
	}
	cursor := counts // reused: the next free slot of each key
	copy(cursor, offsets[:len(keys)])
	values = grow(s.values, len(kvs))
	for i := range kvs {
		g := gid[i]
		values[cursor[g]] = kvs[i].Value
		cursor[g]++
	}
	s.gid, s.values = gid, values
	return keys, offsets, values
}

// grow returns buf resized to n, reusing its array when it is large
// enough; the contents are not cleared (every caller overwrites them).
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// reduceTo calls reducef once per key, in increasing key order, and writes
// one line "key value\n" per key to w.
func (g *grouper) reduceTo(w io.StringWriter, reducef ReduceFunc) error {
	keys := make([]string, 0, len(g.groups))
	for k := range g.groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out := reducef(k, *g.groups[k])
		if _, err := w.WriteString(k); err != nil {
			return err
		}
		if _, err := w.WriteString(" "); err != nil {
			return err
		}
		if _, err := w.WriteString(out); err != nil {
			return err
		}
		if _, err := w.WriteString("\n"); err != nil {
			return err
		}
	}
	return nil
}
