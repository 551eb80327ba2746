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
	groups map[string][]string
}

func newGrouper() *grouper { return &grouper{groups: make(map[string][]string)} }

// add records one pair.
func (g *grouper) add(key, value string) {
	g.groups[key] = append(g.groups[key], value)
}

// addAll records every pair of kvs.
func (g *grouper) addAll(kvs []KeyValue) {
	for i := range kvs {
		g.groups[kvs[i].Key] = append(g.groups[kvs[i].Key], kvs[i].Value)
	}
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
		out := reducef(k, g.groups[k])
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
