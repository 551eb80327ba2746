package elle

import (
	"fmt"
	"slices"

	"faultline/workloads/history"
)

// version is a value of a register, or its initial nil state.
type version struct {
	v     int64
	isNil bool
}

// vedge says version a of key k preceded version b.
type vedge struct {
	k    int32
	a, b version
}

// versionSource is one way of inferring a register's version order beyond
// its initial state, as Elle's rw-register options.
type versionSource struct {
	name  string
	edges func(c *check, ix *registerIndex) []vedge
}

// versionSources returns the sources opts switch on, in Elle's order.
func versionSources(o Options) []versionSource {
	var out []versionSource
	if o.WFRKeys {
		out = append(out, versionSource{"wfr-keys", wfrVersions})
	}
	if o.SequentialKeys {
		out = append(out, versionSource{"sequential-keys", func(c *check, ix *registerIndex) []vedge {
			return orderVersions(c, ix, false)
		}})
	}
	if o.LinearizableKeys {
		out = append(out, versionSource{"linearizable-keys", func(c *check, ix *registerIndex) []vedge {
			return orderVersions(c, ix, true)
		}})
	}
	return out
}

// wfrVersions: within an ok transaction, its write of a key follows its
// read of it.
func wfrVersions(c *check, ix *registerIndex) []vedge {
	var out []vedge
	for i, es := range ix.exts {
		if c.h.Txns[i].Outcome != history.OK {
			continue
		}
		for _, e := range es {
			if e.hasRead && !e.readNil && e.hasWrite && e.read != e.write {
				out = append(out, vedge{e.k, version{v: e.read}, version{v: e.write}})
			}
		}
	}
	return out
}

// lastVersion is the version of its key a transaction left (its write, or
// what it read); firstVersion the one it began from (what it read, or its
// write). An info transaction counts by its write only.
func lastVersion(t *history.Txn, e ext) (version, bool) {
	switch {
	case e.hasWrite:
		return version{v: e.write}, true
	case t.Outcome == history.OK && e.hasRead:
		return version{v: e.read, isNil: e.readNil}, true
	}
	return version{}, false
}

func firstVersion(t *history.Txn, e ext) (version, bool) {
	switch {
	case t.Outcome == history.OK && e.hasRead:
		return version{v: e.read, isNil: e.readNil}, true
	case e.hasWrite:
		return version{v: e.write}, true
	}
	return version{}, false
}

// orderVersions: if keys are linearizable (realtime) or sequential (not
// realtime: process order), a transaction that follows another on a key
// saw a later version of it. Per key, each transaction is linked only to
// the latest transactions before it (a frontier), the reduction Elle gets
// by compressing the transaction graph.
func orderVersions(c *check, ix *registerIndex, realtime bool) []vedge {
	type touch struct {
		txn int32
		e   ext
	}
	perKey := map[int32][]touch{}
	for i, es := range ix.exts {
		for _, e := range es {
			perKey[e.k] = append(perKey[e.k], touch{int32(i), e})
		}
	}
	keys := make([]int32, 0, len(perKey))
	for k := range perKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []vedge
	link := func(k int32, a, b touch) {
		ta, tb := &c.h.Txns[a.txn], &c.h.Txns[b.txn]
		va, ok1 := lastVersion(ta, a.e)
		vb, ok2 := firstVersion(tb, b.e)
		if ok1 && ok2 && va != vb && !vb.isNil {
			out = append(out, vedge{k, va, vb})
		}
	}
	for _, k := range keys {
		ts := perKey[k]
		if !realtime {
			last := map[int]touch{}
			for _, t := range ts {
				p := c.h.Txns[t.txn].Process
				if prev, ok := last[p]; ok {
					link(k, prev, t)
				}
				last[p] = t
			}
			continue
		}
		var pairs [][2]int32
		realtimeFrontier(c.h, len(ts), func(yield func(int32) bool) {
			for _, t := range ts {
				if !yield(t.txn) {
					return
				}
			}
		}, func(a, b int32) { pairs = append(pairs, [2]int32{a, b}) })
		at := make(map[int32]touch, len(ts))
		for _, t := range ts {
			at[t.txn] = t
		}
		for _, p := range pairs {
			link(k, at[p[0]], at[p[1]])
		}
	}
	return out
}

// cyclicVersions returns the keys whose version graph has a cycle.
func cyclicVersions(edges []vedge) []int32 {
	perKey := map[int32][]vedge{}
	for _, e := range edges {
		perKey[e.k] = append(perKey[e.k], e)
	}
	var bad []int32
	for k, es := range perKey {
		ids := map[version]int32{}
		id := func(v version) int32 {
			if i, ok := ids[v]; ok {
				return i
			}
			ids[v] = int32(len(ids))
			return ids[v]
		}
		var el edgeList
		for _, e := range es {
			el.add(edge{id(e.a), id(e.b), WW})
		}
		if len(sccs(newGraph(len(ids), &el), WW, nil, nil)) > 0 {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad)
	return bad
}

// addVersionEdges infers the register's version order from each source
// opts switch on, dropping a source whose versions would be cyclic (and
// saying so), and adds the ww and rw edges the order implies.
func (c *check) addVersionEdges(ix *registerIndex, o Options) {
	var kept []vedge
	for _, s := range versionSources(o) {
		add := s.edges(c, ix)
		if bad := cyclicVersions(append(slices.Clone(kept), add...)); len(bad) > 0 {
			for _, k := range bad {
				c.add(Anomaly{Type: "cyclic-versions", Key: c.key(k),
					Text: fmt.Sprintf("assuming %s orders the versions of %s in a cycle; that assumption is dropped", s.name, c.key(k))})
			}
			continue
		}
		kept = append(kept, add...)
	}
	ix.versions = kept
	for _, e := range kept {
		ws := ix.writers[kv{e.k, e.b.v}]
		var from []int32
		if e.a.isNil {
			from = ix.nilRead[e.k]
		} else {
			from = ix.readers[kv{e.k, e.a.v}]
			for _, w := range ix.writers[kv{e.k, e.a.v}] {
				for _, b := range ws {
					if w != b {
						c.edges.add(edge{w, b, WW})
					}
				}
			}
		}
		for _, r := range from {
			for _, b := range ws {
				if r != b {
					c.edges.add(edge{r, b, RW})
				}
			}
		}
	}
}
