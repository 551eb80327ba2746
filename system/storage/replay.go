package storage

import (
	"fmt"
	"os"
)

// logState is the log as seen above a snapshot: the hard state and the
// entries at snapIndex+1 onwards.
type logState struct {
	snapIndex int
	hs        hardState
	// entries[i] is the entry at snapIndex+1+i.
	entries [][]byte
}

// lastIndex returns the index of the last entry, or snapIndex if none.
func (l *logState) lastIndex() int { return l.snapIndex + len(l.entries) }

// apply replays an entries record: entries at index onwards replace
// everything from index up. Parts at or below snapIndex are dropped, which
// gives the same result as applying the record to the whole log and
// compacting afterwards.
func (l *logState) apply(index int, ents [][]byte) error {
	if index > l.lastIndex()+1 {
		return fmt.Errorf("entries at index %d leave a gap after last index %d: %w", index, l.lastIndex(), ErrCorrupt)
	}
	if index <= l.snapIndex {
		skip := l.snapIndex + 1 - index
		if skip >= len(ents) {
			l.entries = l.entries[:0]
			return nil
		}
		ents, index = ents[skip:], l.snapIndex+1
	}
	l.entries = append(l.entries[:index-l.snapIndex-1], ents...)
	return nil
}

// replayResult is what replaying the segments found.
type replayResult struct {
	log      logState
	segments []segmentInfo
	// tail is the scan of the last segment.
	tail scanResult
}

// replay reads segments seqs of dir in order over a log compacted up to
// snapIndex. With repairTail, a torn tail in the last segment is reported in
// the result rather than as corruption; the file is not changed. lastSize,
// when not negative, is how much of the last segment holds records (the
// active segment of an open persister, the rest being preallocated).
func replay(dir string, seqs []uint64, snapIndex int, repairTail bool, lastSize int64) (replayResult, error) {
	res := replayResult{log: newLogState(snapIndex)}
	for i, seq := range seqs {
		data, err := os.ReadFile(segmentPath(dir, seq))
		if err != nil {
			return res, fmt.Errorf("storage: read segment %s: %w", segmentName(seq), err)
		}
		last := i == len(seqs)-1
		if last && lastSize >= 0 && lastSize <= int64(len(data)) {
			data = data[:lastSize]
		}
		info, scan, err := replaySegment(&res.log, seq, data, repairTail && last)
		if err != nil {
			return res, err
		}
		res.segments = append(res.segments, info)
		if last {
			res.tail = scan
		}
	}
	return res, nil
}

// newLogState returns an empty log above snapIndex with no hard state.
func newLogState(snapIndex int) logState {
	return logState{snapIndex: snapIndex, hs: hardState{votedFor: -1}}
}

// replaySegment applies the records of data, segment seq, to l. With tail,
// a torn tail is reported in the scan result rather than as corruption.
func replaySegment(l *logState, seq uint64, data []byte, tail bool) (segmentInfo, scanResult, error) {
	info := segmentInfo{seq: seq}
	name := segmentName(seq)
	scan, err := scanSegment(data, tail, func(off int, r record) error {
		if off == 0 {
			if r.typ != recSegment {
				return fmt.Errorf("segment does not start with a segment record: %w", ErrCorrupt)
			}
			got, err := parseSegmentPayload(r.payload)
			if err != nil {
				return err
			}
			if got != seq {
				return fmt.Errorf("segment record says %d: %w", got, ErrCorrupt)
			}
			return nil
		}
		switch r.typ {
		case recHardState:
			hs, err := parseHardStatePayload(r.payload)
			if err != nil {
				return err
			}
			l.hs = hs
		case recEntries:
			index, ents, err := parseEntriesPayload(r.payload)
			if err != nil {
				return err
			}
			if err := l.apply(index, ents); err != nil {
				return err
			}
			if len(ents) > 0 {
				info.maxIndex = max(info.maxIndex, index+len(ents)-1)
			}
		default:
			return fmt.Errorf("unknown record type %d: %w", r.typ, ErrCorrupt)
		}
		return nil
	})
	if err != nil {
		return info, scan, fmt.Errorf("storage: segment %s: %w", name, err)
	}
	if scan.end == 0 && !tail {
		return info, scan, fmt.Errorf("storage: segment %s holds no records: %w", name, ErrCorrupt)
	}
	info.size = int64(scan.end)
	return info, scan, nil
}
