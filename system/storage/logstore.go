package storage

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// maxEntrySize bounds one log entry: it must fit in a record with its
// framing.
const maxEntrySize = maxRecordSize - 16

// SetHardState records Raft's current term and vote (-1 for none). Like
// AppendLog it is buffered: it reaches disk, in order with the other
// buffered writes, at the next Sync. Setting the current values again
// writes nothing. It returns ErrClosed after Close and the sticky error after
// a failed Sync.
func (p *FilePersister) SetHardState(term, votedFor int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.usableLocked(); err != nil {
		return err
	}
	hs := hardState{term: term, votedFor: votedFor}
	if hs == p.hs {
		return nil
	}
	p.hs = hs
	p.buf = appendRecord(p.buf, recHardState, func(d []byte) []byte { return appendHardStatePayload(d, hs) })
	p.appended++
	p.loaded = nil
	return nil
}

// AppendLog places entries[i] at log index index+i, first dropping every
// entry at index and above; with no entries it only truncates the log to
// index-1. The index must lie in (snapIndex, lastIndex+1], where lastIndex
// is the last entry's index or the snapshot index if the log above it is
// empty: ErrCompacted is returned at or below the snapshot index,
// ErrOutOfRange past lastIndex+1. The entries are copied before AppendLog
// returns; the caller keeps ownership of the slices. Like SetHardState it
// is buffered until the next Sync. It returns ErrClosed after Close and
// the sticky error after a failed Sync.
func (p *FilePersister) AppendLog(index int, entries [][]byte) error {
	for i, e := range entries {
		if len(e) > maxEntrySize {
			return fmt.Errorf("storage: entry %d of %d bytes exceeds the limit of %d: %w", index+i, len(e), maxEntrySize, ErrOutOfRange)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.usableLocked(); err != nil {
		return err
	}
	snapIndex := p.man.snapIndex
	last := snapIndex + len(p.lens)
	switch {
	case index < 1:
		return fmt.Errorf("storage: append at index %d: %w", index, ErrOutOfRange)
	case index <= snapIndex:
		return fmt.Errorf("storage: append at index %d, snapshot index %d: %w", index, snapIndex, ErrCompacted)
	case index > last+1:
		return fmt.Errorf("storage: append at index %d leaves a gap after last index %d: %w", index, last, ErrOutOfRange)
	case index == last+1 && len(entries) == 0:
		return nil
	}
	// Records stay near batchRecordSize: a long batch is split into records
	// that each continue where the previous one ended.
	for start := 0; start < len(entries) || start == 0; {
		end, size := start, 0
		for end < len(entries) && (end == start || size+len(entries[end]) <= batchRecordSize) {
			size += len(entries[end]) + 4
			end++
		}
		chunk, at := entries[start:end], index+start
		p.buf = appendRecord(p.buf, recEntries, func(d []byte) []byte { return appendEntriesPayload(d, at, chunk) })
		if end == len(entries) {
			break
		}
		start = end
	}
	keep := index - snapIndex - 1
	for _, l := range p.lens[keep:] {
		p.logBytes -= int64(l)
	}
	p.lens = p.lens[:keep]
	for _, e := range entries {
		p.lens = append(p.lens, len(e))
		p.logBytes += int64(len(e))
	}
	if len(entries) > 0 {
		p.bufMaxIndex = max(p.bufMaxIndex, index+len(entries)-1)
	}
	p.appended++
	p.loaded = nil
	p.stats.appends.Add(1)
	return nil
}

// SaveSnapshot installs snapshot as the state machine's image up to and
// including log index index, whose entry has term term. It first makes
// every earlier SetHardState and AppendLog durable, then writes the
// snapshot atomically (temporary file, fsync, rename, fsync of the
// directory): when it returns nil the snapshot is durable, and after a crash
// either the old or the new snapshot is found, never a mix. Entries at or
// below index are dropped; entries above it are kept (call AppendLog at
// index+1 with no entries to drop them too). Log segments holding nothing
// above index are deleted. An index below the current snapshot index
// returns ErrCompacted; the same index replaces the snapshot. snapshot is
// copied; the caller keeps ownership.
func (p *FilePersister) SaveSnapshot(index, term int, snapshot []byte) error {
	p.ioMu.Lock()
	defer p.ioMu.Unlock()
	p.mu.Lock()
	err := p.usableLocked()
	if err == nil && index < p.man.snapIndex {
		err = fmt.Errorf("storage: snapshot at index %d, current snapshot index %d: %w", index, p.man.snapIndex, ErrCompacted)
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	if err := p.commitLocked(true); err != nil {
		return err
	}
	p.mu.Lock()
	man := p.man
	p.mu.Unlock()
	drop := p.compactableSegments(index)
	man.firstSeg = p.segments[drop].seq
	man.snapIndex, man.snapTerm = index, term
	snap := append([]byte(nil), snapshot...)
	oldGen := man.snapGen
	man, err = p.writeSnapshotLocked(man, snap)
	if err != nil {
		return err
	}
	p.mu.Lock()
	if oldIndex := p.man.snapIndex; index >= oldIndex+len(p.lens) {
		p.lens, p.logBytes = p.lens[:0], 0
	} else {
		cut := index - oldIndex
		for _, l := range p.lens[:cut] {
			p.logBytes -= int64(l)
		}
		p.lens = append(p.lens[:0], p.lens[cut:]...)
	}
	p.man, p.snapshot = man, snap
	p.loaded = nil
	p.mu.Unlock()
	p.removeSnapshotFile(oldGen)
	p.removeSegmentsLocked(drop)
	return nil
}

// writeSnapshotLocked writes snap as the next snapshot generation, then man,
// with its snapshot fields filled in, as the manifest, each atomically. It
// returns the manifest written; the caller installs it in p.man. p.ioMu is
// held.
func (p *FilePersister) writeSnapshotLocked(man manifest, snap []byte) (manifest, error) {
	man.snapGen++
	man.snapSize = int64(len(snap))
	man.snapCRC = crc32.Checksum(snap, castagnoli)
	if err := writeFileAtomic(p.dir, snapshotName(man.snapGen), sealFile(snapshotMagic, snap), p.opts.NoSync); err != nil {
		return manifest{}, err
	}
	if err := writeFileAtomic(p.dir, manifestName, man.encode(), p.opts.NoSync); err != nil {
		return manifest{}, err
	}
	return man, nil
}

// writeManifestLocked writes man as the manifest, atomically, and installs
// it in p.man. p.ioMu is held.
func (p *FilePersister) writeManifestLocked(man manifest) error {
	if err := writeFileAtomic(p.dir, manifestName, man.encode(), p.opts.NoSync); err != nil {
		return err
	}
	p.mu.Lock()
	p.man = man
	p.mu.Unlock()
	return nil
}

// removeSnapshotFile deletes snapshot generation gen, no longer named by the
// manifest. A failure only leaves a file that the next Open deletes.
func (p *FilePersister) removeSnapshotFile(gen uint64) {
	if gen == 0 {
		return
	}
	if err := os.Remove(filepath.Join(p.dir, snapshotName(gen))); err != nil {
		p.log.Warn("cannot remove old snapshot", "err", err)
	}
}

// removeSegmentsLocked deletes the n oldest segments, which the manifest no
// longer names. A failure only leaves files that the next Open deletes.
// p.ioMu is held.
func (p *FilePersister) removeSegmentsLocked(n int) {
	for _, s := range p.segments[:n] {
		if err := os.Remove(segmentPath(p.dir, s.seq)); err != nil {
			p.log.Warn("cannot remove compacted segment", "segment", s.seq, "err", err)
			continue
		}
		p.log.Debug("removed compacted segment", "segment", s.seq, "maxIndex", s.maxIndex)
	}
	p.segments = append(p.segments[:0], p.segments[n:]...)
}

// LoadState returns the persisted log state: the hard state (term 0, vote
// -1 if none was ever set), the snapshot's index and term (zero if none),
// and the entries from snapIndex+1 to the last index, in order. It reflects
// every write made so far, including ones not yet synced. The returned
// slices belong to the caller. Raft calls it once, after Open; it reads the
// log back from disk unless nothing was written since Open. It returns an
// error wrapping ErrCorrupt if the log no longer reads back cleanly.
func (p *FilePersister) LoadState() (term, votedFor, snapIndex, snapTerm int, entries [][]byte, err error) {
	p.ioMu.Lock()
	defer p.ioMu.Unlock()
	p.mu.Lock()
	if err := p.usableLocked(); err != nil {
		p.mu.Unlock()
		return 0, 0, 0, 0, nil, err
	}
	loaded := p.loaded
	p.loaded = nil
	snapIndex, snapTerm = p.man.snapIndex, p.man.snapTerm
	p.mu.Unlock()
	if loaded == nil || loaded.snapIndex != snapIndex {
		if err := p.commitLocked(false); err != nil {
			return 0, 0, 0, 0, nil, err
		}
		seqs := make([]uint64, len(p.segments))
		for i, s := range p.segments {
			seqs[i] = s.seq
		}
		lastSize := int64(-1)
		if n := len(p.segments); n > 0 {
			lastSize = p.segments[n-1].size
		}
		res, err := replay(p.dir, seqs, snapIndex, false, lastSize)
		if err != nil {
			return 0, 0, 0, 0, nil, err
		}
		loaded = &res.log
	}
	return loaded.hs.term, loaded.hs.votedFor, snapIndex, snapTerm, loaded.entries, nil
}
