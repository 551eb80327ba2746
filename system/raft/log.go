package raft

import "fmt"

// raftLog is the core's view of the log: a snapshot followed by entries.
//
// Invariants:
//   - entries[i] has index snap.Index+1+i;
//   - snap.Index <= applied <= committed <= lastIndex();
//   - elements of entries below len(entries) are never rewritten in place
//     (truncation reallocates), so slices handed out in messages and Ready
//     stay valid while the core moves on;
//   - every entry below unstable is persisted as it is now, and storage
//     holds no entries beyond persistedLast.
type raftLog struct {
	snap          snapshot
	entries       []Entry
	committed     int
	applied       int // highest index handed out for applying
	unstable      int // lowest index that may differ from storage
	persistedLast int // last index storage may hold
}

func newLog(snap snapshot, entries []Entry) raftLog {
	return raftLog{
		snap:      snap,
		entries:   entries,
		committed: snap.Index,
		applied:   snap.Index,
		unstable:  snap.Index + len(entries) + 1,

		persistedLast: snap.Index + len(entries),
	}
}

func (l *raftLog) lastIndex() int { return l.snap.Index + len(l.entries) }

func (l *raftLog) lastTerm() int {
	t, _ := l.term(l.lastIndex())
	return t
}

// term returns the term of the entry at i; ok is false when i is compacted
// or beyond the last entry.
func (l *raftLog) term(i int) (t int, ok bool) {
	switch {
	case i == l.snap.Index:
		return l.snap.Term, true
	case i < l.snap.Index || i > l.lastIndex():
		return 0, false
	}
	return l.entries[i-l.snap.Index-1].Term, true
}

func (l *raftLog) matchTerm(i, t int) bool {
	got, ok := l.term(i)
	return ok && got == t
}

// slice returns the entries in [lo, hi), lo > snap.Index, hi <= lastIndex()+1,
// keeping to at most maxBytes of data but always at least one entry.
func (l *raftLog) slice(lo, hi, maxBytes int) []Entry {
	if lo <= l.snap.Index || hi > l.lastIndex()+1 || lo > hi {
		panic(fmt.Sprintf("raft: slice [%d, %d) out of log (%d, %d]", lo, hi, l.snap.Index, l.lastIndex()))
	}
	ents := l.entries[lo-l.snap.Index-1 : hi-l.snap.Index-1]
	if maxBytes > 0 {
		size := 0
		for i, e := range ents {
			size += len(e.Data)
			if size > maxBytes && i > 0 {
				return ents[:i:i]
			}
		}
	}
	return ents[:len(ents):len(ents)]
}

// append adds ents after the last entry.
func (l *raftLog) append(ents ...Entry) {
	l.entries = append(l.entries, ents...)
}

// truncateAndAppend replaces the entries from index from on by ents.
func (l *raftLog) truncateAndAppend(from int, ents []Entry) {
	if from <= l.committed {
		panic(fmt.Sprintf("raft: truncating committed entry %d (committed %d)", from, l.committed))
	}
	keep := from - l.snap.Index - 1
	if keep == len(l.entries) {
		// Nothing to truncate: appending only writes past every slice
		// handed out.
		l.entries = append(l.entries, ents...)
		return
	}
	// Cap the capacity so that append copies: old slices keep their view.
	l.entries = append(l.entries[:keep:keep], ents...)
	if from < l.unstable {
		l.unstable = from
	}
}

// maybeAppend applies an append from the leader: if the entry at prev has
// term prevTerm, ents (which follow prev) are merged into the log,
// overwriting only conflicting entries, and lastNew (the last index known to
// match the leader) is returned with ok true. An append that would replace
// a committed entry is refused (ok false) and changes nothing.
func (l *raftLog) maybeAppend(prev, prevTerm int, ents []Entry) (lastNew int, ok bool) {
	lastNew = prev + len(ents)
	if prev < l.snap.Index {
		// Entries up to the snapshot are committed and therefore identical.
		skip := l.snap.Index - prev
		if skip >= len(ents) {
			return lastNew, true
		}
		ents = ents[skip:]
		prev, prevTerm = l.snap.Index, l.snap.Term
	}
	if !l.matchTerm(prev, prevTerm) {
		return 0, false
	}
	for i, e := range ents {
		idx := prev + 1 + i
		if t, ok := l.term(idx); ok && t == e.Term {
			continue
		}
		if idx <= l.committed {
			// No leader replaces a committed entry (leader completeness):
			// the append is forged, and is refused whole.
			return 0, false
		}
		l.truncateAndAppend(idx, ents[i:])
		break
	}
	return lastNew, true
}

// conflictHint returns the fast-backtracking hint for a rejected previous
// index prev: the first index of the term at prev, or, when prev is beyond
// the log, one past the last entry with term none.
func (l *raftLog) conflictHint(prev int) (index, term int) {
	if prev > l.lastIndex() {
		return l.lastIndex() + 1, none
	}
	t, _ := l.term(prev)
	i := prev
	for i-1 > l.snap.Index {
		if pt, _ := l.term(i - 1); pt != t {
			break
		}
		i--
	}
	return i, t
}

// lastIndexOfTerm returns the last index whose entry has term t, if the
// uncompacted log holds one.
func (l *raftLog) lastIndexOfTerm(t int) (int, bool) {
	for i := l.lastIndex(); i > l.snap.Index; i-- {
		it, _ := l.term(i)
		if it == t {
			return i, true
		}
		if it < t {
			break
		}
	}
	return 0, false
}

// isUpToDate reports whether a log ending at (index, term) is at least as
// up to date as this one (§5.4.1).
func (l *raftLog) isUpToDate(index, term int) bool {
	lt := l.lastTerm()
	return term > lt || (term == lt && index >= l.lastIndex())
}

func (l *raftLog) commitTo(i int) bool {
	if i <= l.committed {
		return false
	}
	if i > l.lastIndex() {
		panic(fmt.Sprintf("raft: commit %d beyond last index %d", i, l.lastIndex()))
	}
	l.committed = i
	return true
}

// compactRoom bounds the spare capacity compact leaves, in entries.
const compactRoom = 4096

// compact drops the entries up to index, which the service has applied,
// and keeps data as the snapshot.
func (l *raftLog) compact(index int, data []byte) {
	t, ok := l.term(index)
	if !ok {
		panic(fmt.Sprintf("raft: compact at %d outside log (%d, %d]", index, l.snap.Index, l.lastIndex()))
	}
	// The new array has room for as many entries as the old one held
	// (up to compactRoom), so a log compacted every so many entries grows
	// to its next compaction without reallocating on the way.
	rest := l.entries[index-l.snap.Index:]
	room := min(max(cap(l.entries)-len(rest), 16), compactRoom)
	l.entries = append(make([]Entry, 0, len(rest)+room), rest...)
	l.snap = snapshot{Index: index, Term: t, Data: data}
}

// needsWrite reports whether storage must be brought up to date with
// entries from unstable on (possibly only a truncation).
func (l *raftLog) needsWrite() bool {
	return l.unstable <= max(l.lastIndex(), l.persistedLast)
}

// restore installs a snapshot received from the leader. Entries after it are
// kept when the log holds the snapshot's last entry; otherwise the log is
// discarded.
func (l *raftLog) restore(s snapshot) {
	if l.matchTerm(s.Index, s.Term) {
		rest := l.entries[s.Index-l.snap.Index:]
		l.entries = append(make([]Entry, 0, len(rest)+16), rest...)
	} else {
		l.entries = nil
		if l.unstable > s.Index+1 {
			l.unstable = s.Index + 1
		}
	}
	l.snap = s
	l.committed = s.Index
	l.applied = s.Index
	if l.unstable <= s.Index {
		l.unstable = s.Index + 1
	}
}
