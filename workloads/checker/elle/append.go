package elle

import (
	"fmt"
	"slices"

	"faultline/workloads/history"
)

// kv is a value of a key.
type kv struct {
	k int32
	v int64
}

// appended is what the checker knows of one appended value.
type appended struct {
	txn int32 // the transaction that appended it; -1 if none did
	pos int32 // its position in the key's version order; -1 if unread
	// mid: the transaction appended to the key again after it (an
	// intermediate state).
	mid bool
}

// reader is one ok list read: the transaction, the key and how many
// elements of the version order it saw (obs, -1 when its last element is
// not in the version order).
type reader struct {
	txn int32
	k   int32
	obs int32
}

// appendIndex holds what list-append inference derived, kept to explain
// edges.
type appendIndex struct {
	order   [][]int64 // per key: the longest read, the version order
	writers [][]int32 // per key: who appended order[i] (-1 for nobody)
	vals    *valIndex
	readers []reader // sorted by key, then obs, then txn
	// firstDup is, per key, the first position of the version order
	// whose element came earlier in it too (len(order) when none).
	firstDup []int32
}

// inferAppends derives ww, wr and rw edges of a list-append history, and
// the anomalies visible without cycles.
func (c *check) inferAppends() *appendIndex {
	h := c.h
	ix := &appendIndex{order: make([][]int64, len(h.Keys))}
	// Pass 0: the range of values appended per key, to size the index.
	lo, hi, n := make([]int64, len(h.Keys)), make([]int64, len(h.Keys)), make([]int, len(h.Keys))
	reads := 0
	for i := range h.Txns {
		for _, m := range h.Txns[i].Mops {
			if m.Kind != history.MopAppend {
				reads++
				continue
			}
			if n[m.Key] == 0 || m.Value < lo[m.Key] {
				lo[m.Key] = m.Value
			}
			if n[m.Key] == 0 || m.Value > hi[m.Key] {
				hi[m.Key] = m.Value
			}
			n[m.Key]++
		}
	}
	ix.vals = newValIndex(lo, hi, n)
	ix.readers = make([]reader, 0, reads)
	// Pass 1: who appended what; the longest read per key.
	for i := range h.Txns {
		t := &h.Txns[i]
		for j, m := range t.Mops {
			switch {
			case m.Kind == history.MopAppend:
				key := kv{m.Key, m.Value}
				if prev, dup := ix.vals.get(key); dup && prev.txn >= 0 {
					c.add(Anomaly{Type: "duplicate-appends", Key: c.key(m.Key), Txns: []int{int(prev.txn), i},
						Text: fmt.Sprintf("%s and %s both append %d to %s: appended values must be unique", c.name(prev.txn), c.name(int32(i)), m.Value, c.key(m.Key))})
					continue
				}
				later := slices.ContainsFunc(t.Mops[j+1:], func(o history.Mop) bool { return o.Kind == history.MopAppend && o.Key == m.Key })
				ix.vals.set(key, appended{txn: int32(i), pos: -1, mid: later})
			case m.Kind == history.MopRead && t.Outcome == history.OK && len(m.List) > len(ix.order[m.Key]):
				ix.order[m.Key] = m.List
			}
		}
	}
	// Version orders: positions, writers, and what is wrong with them.
	ix.writers = make([][]int32, len(h.Keys))
	ix.firstDup = make([]int32, len(h.Keys))
	for k, order := range ix.order {
		w := make([]int32, len(order))
		ix.firstDup[k] = int32(len(order))
		for p, v := range order {
			key := kv{int32(k), v}
			a, ok := ix.vals.get(key)
			if !ok {
				a = appended{txn: -1, pos: -1}
			}
			if a.pos < 0 {
				a.pos = int32(p)
			} else if ix.firstDup[k] == int32(len(order)) {
				ix.firstDup[k] = int32(p) // seen before in this order
			}
			ix.vals.set(key, a)
			w[p] = a.txn
		}
		ix.writers[k] = w
		c.dirtyUpdates(int32(k), order, w)
	}
	c.checkReads(ix)
	c.appendEdges(ix)
	return ix
}

// outcome returns the outcome of transaction t, or 0 for none (-1).
func (c *check) outcome(t int32) history.Outcome {
	if t < 0 {
		return 0
	}
	return c.h.Txns[t].Outcome
}

// dirtyUpdates finds, in one key's version order, a committed append that
// follows a failed one (Elle's dirty update): the failed transaction's
// state was built on.
func (c *check) dirtyUpdates(k int32, order []int64, w []int32) {
	state := history.OK // the initial state is committed
	var failed int32 = -1
	for p, t := range w {
		switch c.outcome(t) {
		case history.OK:
			if state == history.Fail {
				c.add(Anomaly{Type: "dirty-update", Key: c.key(k), Txns: []int{int(failed), int(t)},
					Text: fmt.Sprintf("%s appended %d to %s after the failed %s's append: a committed write built on an aborted one",
						c.name(t), order[p], c.key(k), c.name(failed))})
			}
			state = history.OK
		case history.Fail:
			if state != history.Fail {
				failed = t
			}
			state = history.Fail
		}
	}
}

// checkReads checks every ok list read against its key's version order
// (incompatible orders, duplicates, aborted, intermediate and unwritten
// values), checks each transaction against itself (internal consistency,
// future reads), finds lost updates, and indexes the readers.
func (c *check) checkReads(ix *appendIndex) {
	h := c.h
	firstDup := ix.firstDup
	var lost []reader // readers of a state that then appended to the key
	for i := range h.Txns {
		t := &h.Txns[i]
		if t.Outcome != history.OK {
			continue
		}
		ti := int32(i)
		for j, m := range t.Mops {
			if m.Kind != history.MopRead {
				continue
			}
			order := ix.order[m.Key]
			prefix := len(m.List) <= len(order) && slices.Equal(m.List, order[:len(m.List)])
			obs := int32(len(m.List))
			if !prefix {
				c.add(Anomaly{Type: "incompatible-order", Key: c.key(m.Key), Txns: []int{i},
					Text: fmt.Sprintf("%s read %s = %v, which is not a prefix of the longest read %v: no single order of appends explains both",
						c.name(ti), c.key(m.Key), m.List, order)})
				obs = -1
				if n := len(m.List); n > 0 {
					a, ok := ix.vals.get(kv{m.Key, m.List[n-1]})
					switch {
					case ok && a.pos >= 0:
						obs = a.pos + 1
					case ok && a.txn >= 0 && a.txn != ti && h.Txns[a.txn].Outcome != history.Fail:
						// Its last element lies outside the version order:
						// its appender still precedes the reader.
						c.edges.add(edge{a.txn, ti, WR})
					}
				}
			}
			if !prefix || obs > firstDup[m.Key] {
				c.duplicates(ti, m)
			}
			c.readValues(ix, ti, m, prefix)
			ix.readers = append(ix.readers, reader{ti, m.Key, obs})
			if prefix && !readBefore(t.Mops[:j], m.Key) && appendsAfter(t.Mops[j+1:], m.Key) {
				lost = append(lost, reader{ti, m.Key, obs})
			}
		}
		if selfRead(t.Mops) {
			c.internal(ti)
		}
	}
	slices.SortFunc(lost, cmpReader)
	for i := 0; i < len(lost); {
		j := i + 1
		for j < len(lost) && lost[j].k == lost[i].k && lost[j].obs == lost[i].obs {
			j++
		}
		if j-i > 1 {
			k := lost[i].k
			txns := make([]int, 0, j-i)
			names := ""
			for n, r := range lost[i:j] {
				txns = append(txns, int(r.txn))
				if n > 0 {
					names += ", "
				}
				names += c.name(r.txn)
			}
			c.add(Anomaly{Type: "lost-update", Key: c.key(k), Txns: txns,
				Text: fmt.Sprintf("%s all read %s = %v and then appended to it: each update was made without the others'",
					names, c.key(k), ix.order[k][:lost[i].obs])})
		}
		i = j
	}
	slices.SortFunc(ix.readers, cmpReader)
}

// selfRead reports whether some read of a key follows another micro-op on
// the key, or precedes an append to it: only then can the transaction
// contradict itself (internal) or read its own future (future-read).
func selfRead(mops []history.Mop) bool {
	for j, m := range mops {
		if m.Kind == history.MopRead && (readBefore(mops[:j], m.Key) || appendsAfter(mops[j+1:], m.Key)) {
			return true
		}
	}
	return false
}

func readBefore(ms []history.Mop, k int32) bool {
	return slices.ContainsFunc(ms, func(m history.Mop) bool { return m.Key == k })
}

func appendsAfter(ms []history.Mop, k int32) bool {
	return slices.ContainsFunc(ms, func(m history.Mop) bool { return m.Key == k && m.Kind == history.MopAppend })
}

// duplicates reports elements a read holds more than once.
func (c *check) duplicates(t int32, m history.Mop) {
	seen := make(map[int64]bool, len(m.List))
	for _, v := range m.List {
		if seen[v] {
			c.add(Anomaly{Type: "duplicate-elements", Key: c.key(m.Key), Txns: []int{int(t)},
				Text: fmt.Sprintf("%s read %s = %v, which holds %d more than once", c.name(t), c.key(m.Key), m.List, v)})
			return
		}
		seen[v] = true
	}
}

// readValues reports a read's elements that a failed transaction appended
// (G1a) or that nobody appended, and a last element that was not its
// appender's final append to the key (G1b).
func (c *check) readValues(ix *appendIndex, t int32, m history.Mop, prefix bool) {
	if len(m.List) == 0 {
		return
	}
	w := ix.writers[m.Key]
	for p, v := range m.List {
		var a appended
		if prefix {
			a = appended{txn: w[p]}
		} else {
			a = ix.vals.at(kv{m.Key, v})
			if a == (appended{}) {
				a.txn = -1
			}
		}
		switch c.outcome(a.txn) {
		case 0:
			c.add(Anomaly{Type: "never-written", Key: c.key(m.Key), Txns: []int{int(t)},
				Text: fmt.Sprintf("%s read %s = %v, whose element %d no transaction appended", c.name(t), c.key(m.Key), m.List, v)})
		case history.Fail:
			c.add(Anomaly{Type: "G1a", Key: c.key(m.Key), Txns: []int{int(a.txn), int(t)},
				Text: fmt.Sprintf("%s read %s = %v, whose element %d was appended by %s, which failed (an aborted read)",
					c.name(t), c.key(m.Key), m.List, v, c.name(a.txn))})
		}
	}
	last := ix.vals.at(kv{m.Key, m.List[len(m.List)-1]})
	if last.mid && last.txn != t && last.txn >= 0 {
		c.add(Anomaly{Type: "G1b", Key: c.key(m.Key), Txns: []int{int(last.txn), int(t)},
			Text: fmt.Sprintf("%s read %s = %v, ending in %d, an intermediate state: %s appended to %s again after it",
				c.name(t), c.key(m.Key), m.List, m.List[len(m.List)-1], c.name(last.txn), c.key(m.Key))})
	}
}

// internal checks one ok transaction against its own effects: a read of
// a key must be the transaction's previous read of it plus its appends
// since (or end with those appends when it had not read the key), and
// must not hold a value the transaction appends later (a future read).
func (c *check) internal(t int32) {
	mops := c.h.Txns[t].Mops
	for j, m := range mops {
		if m.Kind != history.MopRead {
			continue
		}
		var prev []int64
		known := false
		var since []int64
		for _, o := range mops[:j] {
			if o.Key != m.Key {
				continue
			}
			if o.Kind == history.MopRead {
				prev, known, since = o.List, true, since[:0]
			} else {
				since = append(since, o.Value)
			}
		}
		bad := false
		var want string
		switch {
		case known:
			exp := append(slices.Clone(prev), since...)
			bad, want = !slices.Equal(exp, m.List), fmt.Sprint(exp)
		case len(since) > 0:
			n := len(m.List) - len(since)
			bad, want = n < 0 || !slices.Equal(m.List[n:], since), fmt.Sprintf("[... %v]", since)
		}
		if bad {
			c.add(Anomaly{Type: "internal", Key: c.key(m.Key), Txns: []int{int(t)},
				Text: fmt.Sprintf("%s read %s = %v, but its own earlier reads and appends say %s", c.name(t), c.key(m.Key), m.List, want)})
			return
		}
		for _, o := range mops[j+1:] {
			if o.Kind == history.MopAppend && o.Key == m.Key && slices.Contains(m.List, o.Value) {
				c.add(Anomaly{Type: "future-read", Key: c.key(m.Key), Txns: []int{int(t)},
					Text: fmt.Sprintf("%s read %s = %v, which holds %d, a value it appends only later", c.name(t), c.key(m.Key), m.List, o.Value)})
				return
			}
		}
	}
}

// appendEdges adds the dependency edges: wr from the appender of a read's
// last element to the reader; ww from the appender of each element to the
// appender of the next (an unread append follows the last element read);
// rw from each reader of a state to the appender of the element after it.
func (c *check) appendEdges(ix *appendIndex) {
	h := c.h
	live := func(t int32) bool { return t >= 0 && h.Txns[t].Outcome != history.Fail }
	for _, r := range ix.readers {
		if r.obs > 0 {
			if w := ix.writers[r.k][r.obs-1]; live(w) && w != r.txn {
				c.edges.add(edge{w, r.txn, WR})
			}
		}
	}
	for i := range h.Txns {
		t := &h.Txns[i]
		if t.Outcome == history.Fail {
			continue
		}
		ti := int32(i)
		for _, m := range t.Mops {
			if m.Kind != history.MopAppend {
				continue
			}
			a := ix.vals.at(kv{m.Key, m.Value})
			if a.txn != ti {
				continue // a duplicate append; the first appender owns the value
			}
			prev := a.pos // elements before it: the state it was appended to
			if prev < 0 {
				prev = int32(len(ix.order[m.Key]))
			}
			if prev > 0 {
				if w := ix.writers[m.Key][prev-1]; live(w) && w != ti {
					c.edges.add(edge{w, ti, WW})
				}
			}
			lo, _ := slices.BinarySearchFunc(ix.readers, reader{-1, m.Key, prev}, cmpReader)
			for _, r := range ix.readers[lo:] {
				if r.k != m.Key || r.obs != prev {
					break
				}
				if r.txn != ti {
					c.edges.add(edge{r.txn, ti, RW})
				}
			}
		}
	}
}

func cmpReader(a, b reader) int {
	if a.k != b.k {
		return int(a.k - b.k)
	}
	if a.obs != b.obs {
		return int(a.obs - b.obs)
	}
	return int(a.txn - b.txn)
}

// explain says why a precedes b by a data dependency of kind rel.
func (ix *appendIndex) explain(c *check, a, b int32, rel Rel) (string, string) {
	tb := &c.h.Txns[b]
	for _, m := range tb.Mops {
		switch {
		case rel == WR && m.Kind == history.MopRead && len(m.List) > 0:
			last := m.List[len(m.List)-1]
			if ix.vals.at(kv{m.Key, last}).txn == a {
				return c.key(m.Key), fmt.Sprintf("%s observed %s's append of %d to %s", c.name(b), c.name(a), last, c.key(m.Key))
			}
		case (rel == WW || rel == RW) && m.Kind == history.MopAppend:
			av := ix.vals.at(kv{m.Key, m.Value})
			prev := av.pos
			if prev < 0 {
				prev = int32(len(ix.order[m.Key]))
			}
			if rel == WW && prev > 0 && ix.writers[m.Key][prev-1] == a {
				return c.key(m.Key), fmt.Sprintf("%s appended %d after %s appended %d to %s",
					c.name(b), m.Value, c.name(a), ix.order[m.Key][prev-1], c.key(m.Key))
			}
			if rel == RW {
				lo, ok := slices.BinarySearchFunc(ix.readers, reader{a, m.Key, prev}, cmpReader)
				if !ok || lo >= len(ix.readers) {
					continue
				}
				if prev == 0 {
					return c.key(m.Key), fmt.Sprintf("%s observed the initial (empty) state of %s, which %s changed by appending %d",
						c.name(a), c.key(m.Key), c.name(b), m.Value)
				}
				return c.key(m.Key), fmt.Sprintf("%s did not observe %s's append of %d to %s (it read up to %d)",
					c.name(a), c.name(b), m.Value, c.key(m.Key), ix.order[m.Key][prev-1])
			}
		}
	}
	return "", fmt.Sprintf("%s precedes %s (%s)", c.name(a), c.name(b), rel)
}
