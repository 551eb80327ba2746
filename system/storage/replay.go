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
// the result rather than as corruption; the file is not changed.
func replay(dir string, seqs []uint64, snapIndex int, repairTail bool) (replayResult, error) {
	res := replayResult{log: logState{snapIndex: snapIndex, hs: hardState{votedFor: -1}}}
	for i, seq := range seqs {
		name := segmentName(seq)
		data, err := os.ReadFile(segmentPath(dir, seq))
		if err != nil {
			return res, fmt.Errorf("storage: read segment %s: %w", name, err)
		}
		info := segmentInfo{seq: seq}
		last := i == len(seqs)-1
		scan, err := scanSegment(data, repairTail && last, func(off int, r record) error {
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
				res.log.hs = hs
			case recEntries:
				index, ents, err := parseEntriesPayload(r.payload)
				if err != nil {
					return err
				}
				if err := res.log.apply(index, ents); err != nil {
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
			return res, fmt.Errorf("storage: segment %s: %w", name, err)
		}
		if scan.end == 0 && !(repairTail && last) {
			return res, fmt.Errorf("storage: segment %s holds no records: %w", name, ErrCorrupt)
		}
		info.size = int64(scan.end)
		res.segments = append(res.segments, info)
		if last {
			res.tail = scan
		}
	}
	return res, nil
}
