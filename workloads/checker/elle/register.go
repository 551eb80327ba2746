package elle

import (
	"fmt"
	"slices"

	"faultline/workloads/history"
)

// ext is a transaction's external view of one key: the value it first
// read before writing the key, and the value it last wrote.
type ext struct {
	k        int32
	read     int64
	hasRead  bool // read the key before writing it
	readNil  bool // ... and saw nil, the initial state
	write    int64
	hasWrite bool
}

// registerIndex holds what rw-register inference derived, kept to explain
// edges.
type registerIndex struct {
	exts       [][]ext           // per transaction (ok and info)
	writers    map[kv][]int32    // ok external writes of each value
	readers    map[kv][]int32    // ok external reads of each value
	nilRead    map[int32][]int32 // ok external reads of nil per key
	keyWriters map[int32][]int32 // ok external writers per key
	versions   []vedge           // version order beyond the initial state
}

// exts computes a transaction's external reads and writes, in key order.
func exts(t *history.Txn) []ext {
	var out []ext
	find := func(k int32) *ext {
		for i := range out {
			if out[i].k == k {
				return &out[i]
			}
		}
		out = append(out, ext{k: k})
		return &out[len(out)-1]
	}
	for _, m := range t.Mops {
		e := find(m.Key)
		switch m.Kind {
		case history.MopRead:
			if !e.hasWrite && !e.hasRead && t.Outcome == history.OK {
				e.hasRead, e.read, e.readNil = true, m.Value, m.Nil
			}
		case history.MopWrite:
			e.hasWrite, e.write = true, m.Value
		}
	}
	slices.SortFunc(out, func(a, b ext) int { return int(a.k - b.k) })
	return out
}

// inferRegisters derives ww, wr and rw edges of an rw-register history
// from what is sound without assumptions, as Elle does by default: a read
// of a value follows its (unique) write, and the initial nil state
// precedes every written value, so a transaction that read nil precedes
// every writer of the key. It also finds the anomalies visible without
// cycles: aborted (G1a) and intermediate (G1b) reads, internal
// inconsistency, lost updates.
func (c *check) inferRegisters() *registerIndex {
	h := c.h
	ix := &registerIndex{exts: make([][]ext, len(h.Txns)), writers: map[kv][]int32{}, readers: map[kv][]int32{},
		nilRead: map[int32][]int32{}, keyWriters: map[int32][]int32{}}
	failed := map[kv]int32{}
	mid := map[kv]int32{}
	for i := range h.Txns {
		t := &h.Txns[i]
		ti := int32(i)
		for j, m := range t.Mops {
			if m.Kind != history.MopWrite {
				continue
			}
			key := kv{m.Key, m.Value}
			if t.Outcome == history.Fail {
				failed[key] = ti
			}
			if slices.ContainsFunc(t.Mops[j+1:], func(o history.Mop) bool { return o.Kind == history.MopWrite && o.Key == m.Key }) {
				mid[key] = ti
			}
		}
		if t.Outcome == history.Fail {
			continue
		}
		ix.exts[i] = exts(t)
		if t.Outcome != history.OK {
			continue
		}
		for _, e := range ix.exts[i] {
			switch {
			case e.hasRead && e.readNil:
				ix.nilRead[e.k] = append(ix.nilRead[e.k], ti)
			case e.hasRead:
				ix.readers[kv{e.k, e.read}] = append(ix.readers[kv{e.k, e.read}], ti)
			}
			if e.hasWrite {
				ix.writers[kv{e.k, e.write}] = append(ix.writers[kv{e.k, e.write}], ti)
				ix.keyWriters[e.k] = append(ix.keyWriters[e.k], ti)
			}
		}
		c.registerInternal(ti)
	}
	// Reads of failed and intermediate writes.
	for i := range h.Txns {
		t := &h.Txns[i]
		if t.Outcome != history.OK {
			continue
		}
		ti := int32(i)
		for _, m := range t.Mops {
			if m.Kind != history.MopRead || m.Nil {
				continue
			}
			key := kv{m.Key, m.Value}
			if w, ok := failed[key]; ok {
				c.add(Anomaly{Type: "G1a", Key: c.key(m.Key), Txns: []int{int(w), i},
					Text: fmt.Sprintf("%s read %s = %d, written by %s, which failed (an aborted read)", c.name(ti), c.key(m.Key), m.Value, c.name(w))})
			}
			if w, ok := mid[key]; ok && w != ti {
				c.add(Anomaly{Type: "G1b", Key: c.key(m.Key), Txns: []int{int(w), i},
					Text: fmt.Sprintf("%s read %s = %d, an intermediate value: %s wrote %s again after it", c.name(ti), c.key(m.Key), m.Value, c.name(w), c.key(m.Key))})
			}
		}
	}
	c.registerLostUpdates(ix)
	c.registerEdges(ix)
	c.addVersionEdges(ix, c.opts)
	return ix
}

// registerInternal checks that an ok transaction's reads agree with its
// own earlier reads and writes of the key.
func (c *check) registerInternal(t int32) {
	mops := c.h.Txns[t].Mops
	type state struct {
		v     int64
		known bool
	}
	st := map[int32]state{}
	for _, m := range mops {
		s := st[m.Key]
		switch m.Kind {
		case history.MopWrite:
			st[m.Key] = state{m.Value, true}
		case history.MopRead:
			if s.known && (m.Nil || m.Value != s.v) {
				got := "nil"
				if !m.Nil {
					got = fmt.Sprint(m.Value)
				}
				c.add(Anomaly{Type: "internal", Key: c.key(m.Key), Txns: []int{int(t)},
					Text: fmt.Sprintf("%s read %s = %s, but its own earlier read or write says %d", c.name(t), c.key(m.Key), got, s.v)})
				return
			}
			if !m.Nil {
				st[m.Key] = state{m.Value, true}
			}
		}
	}
}

// registerLostUpdates finds ok transactions that read the same value of a
// key (nil included) and then wrote it.
func (c *check) registerLostUpdates(ix *registerIndex) {
	type rk struct {
		k   int32
		v   int64
		nil bool
	}
	groups := map[rk][]int32{}
	for i, es := range ix.exts {
		if c.h.Txns[i].Outcome != history.OK {
			continue
		}
		for _, e := range es {
			if e.hasRead && e.hasWrite {
				g := rk{e.k, e.read, e.readNil}
				groups[g] = append(groups[g], int32(i))
			}
		}
	}
	var keys []rk
	for g, ts := range groups {
		if len(ts) > 1 {
			keys = append(keys, g)
		}
	}
	slices.SortFunc(keys, func(a, b rk) int {
		if a.k != b.k {
			return int(a.k - b.k)
		}
		if a.nil != b.nil {
			if a.nil {
				return -1
			}
			return 1
		}
		return int(a.v - b.v)
	})
	for _, g := range keys {
		ts := groups[g]
		txns := make([]int, len(ts))
		for i, t := range ts {
			txns[i] = int(t)
		}
		val := "nil"
		if !g.nil {
			val = fmt.Sprint(g.v)
		}
		c.add(Anomaly{Type: "lost-update", Key: c.key(g.k), Txns: txns,
			Text: fmt.Sprintf("%d transactions read %s = %s and then wrote it: each update was made without the others'", len(ts), c.key(g.k), val)})
	}
}

// registerEdges adds wr edges (writer of a value to its readers) and the
// edges of the initial state: every ok transaction that read nil precedes
// (rw) every ok writer of the key.
func (c *check) registerEdges(ix *registerIndex) {
	for key, rs := range ix.readers {
		for _, w := range ix.writers[key] {
			for _, r := range rs {
				if r != w {
					c.edges.add(edge{w, r, WR})
				}
			}
		}
	}
	for k, rs := range ix.nilRead {
		for _, w := range ix.keyWriters[k] {
			for _, r := range rs {
				if r != w {
					c.edges.add(edge{r, w, RW})
				}
			}
		}
	}
}

// explain says why a precedes b by a data dependency of kind rel.
func (ix *registerIndex) explain(c *check, ta, tb *history.Txn, a, b int32, rel Rel) (string, string) {
	for _, ea := range ix.exts[a] {
		for _, eb := range ix.exts[b] {
			if ea.k != eb.k {
				continue
			}
			k := c.key(ea.k)
			switch {
			case rel == WR && ea.hasWrite && eb.hasRead && !eb.readNil && ea.write == eb.read:
				return k, fmt.Sprintf("%s read %s's write of %s = %d", c.name(b), c.name(a), k, ea.write)
			case rel == RW && ea.hasRead && ea.readNil && eb.hasWrite:
				return k, fmt.Sprintf("%s read the initial (nil) state of %s, which %s's write of %d replaced", c.name(a), k, c.name(b), eb.write)
			case rel == WW && ea.hasWrite && eb.hasWrite && ix.ordered(ea.k, version{v: ea.write}, version{v: eb.write}):
				return k, fmt.Sprintf("%s wrote %s = %d, and %s's write of %d came later in the version order", c.name(a), k, ea.write, c.name(b), eb.write)
			case rel == RW && ea.hasRead && !ea.readNil && eb.hasWrite && ix.ordered(ea.k, version{v: ea.read}, version{v: eb.write}):
				return k, fmt.Sprintf("%s read %s = %d, and %s's write of %d came later in the version order", c.name(a), k, ea.read, c.name(b), eb.write)
			}
		}
	}
	return "", fmt.Sprintf("%s precedes %s (%s)", c.name(a), c.name(b), rel)
}

// ordered reports whether the inferred version order puts a right before b
// on key k.
func (ix *registerIndex) ordered(k int32, a, b version) bool {
	return slices.Contains(ix.versions, vedge{k, a, b})
}
