package storage

import (
	"fmt"
	"os"
)

// maxSpareBuffer is the largest write buffer kept for reuse after a commit.
const maxSpareBuffer = 16 << 20

// Sync makes everything written before the call (by SetHardState and
// AppendLog, from any goroutine) durable before it returns. It is a group
// commit: the first caller becomes the leader and writes and fsyncs every
// buffered record at once; callers arriving meanwhile wait, return as soon
// as an fsync covers their writes, and the next leader covers all the rest
// with one fsync, so concurrent callers share fsyncs. Sync returns nil at
// once when nothing new was written. A failed write or fsync is returned
// here and by every later write: the on-disk state is then unknown and the
// persister must be reopened.
func (p *FilePersister) Sync() error {
	p.stats.syncCalls.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	target := p.appended
	for {
		if err := p.usableLocked(); err != nil {
			return err
		}
		if p.synced >= target {
			return nil
		}
		if p.syncing {
			p.syncDone.Wait()
			continue
		}
		p.syncing = true
		p.mu.Unlock()
		p.ioMu.Lock()
		err := p.commitLocked(true)
		p.ioMu.Unlock()
		p.mu.Lock()
		p.syncing = false
		p.syncDone.Broadcast()
		if err != nil {
			return err
		}
	}
}

// commitLocked writes every buffered record to the active segment and, if
// durable is set, fsyncs it and rotates the segment when it is full. p.ioMu
// is held.
func (p *FilePersister) commitLocked(durable bool) error {
	p.mu.Lock()
	if err := p.usableLocked(); err != nil {
		p.mu.Unlock()
		return err
	}
	buf, maxIndex, seq, hs := p.buf, p.bufMaxIndex, p.appended, p.hs
	p.buf, p.bufMaxIndex = p.spare[:0], 0
	p.mu.Unlock()
	p.spare = nil
	if p.active == nil {
		return p.fail(errNotOpen)
	}
	seg := &p.segments[len(p.segments)-1]
	if len(buf) > 0 {
		if _, err := p.active.WriteAt(buf, seg.size); err != nil {
			return p.fail(fmt.Errorf("write segment %s: %w", segmentName(seg.seq), err))
		}
		p.stats.bytes.Add(uint64(len(buf)))
		seg.size += int64(len(buf))
		seg.maxIndex = max(seg.maxIndex, maxIndex)
		p.fileHS = hs
		p.unsynced = true
	}
	if cap(buf) <= maxSpareBuffer {
		p.spare = buf[:0]
	}
	if !durable {
		return nil
	}
	if p.unsynced && !p.opts.NoSync {
		if err := datasync(p.active); err != nil {
			return p.fail(fmt.Errorf("fsync segment %s: %w", segmentName(seg.seq), err))
		}
		p.stats.fsyncs.Add(1)
	}
	p.unsynced = false
	p.mu.Lock()
	p.synced = seq
	p.syncDone.Broadcast()
	p.mu.Unlock()
	if seg.size >= p.opts.SegmentSize {
		return p.rotateLocked()
	}
	return nil
}

// rotateLocked closes the active segment, which is fully synced, and starts
// the next. p.ioMu is held.
func (p *FilePersister) rotateLocked() error {
	next := p.segments[len(p.segments)-1].seq + 1
	if err := p.trimActive(); err != nil {
		return p.fail(err)
	}
	if err := p.active.Close(); err != nil {
		return p.fail(fmt.Errorf("close segment: %w", err))
	}
	p.active = nil
	p.log.Debug("rotating log segment", "segment", next)
	if err := p.startSegment(next); err != nil {
		return p.fail(err)
	}
	return nil
}

// startSegment creates segment seq, allocating its space up front (so that
// the fdatasync of each commit flushes data, not the file's growth), opens
// it with its segment record and the current hard state, makes it durable,
// makes it the active one and records it in the manifest.
// p.ioMu is held or p is not yet shared.
func (p *FilePersister) startSegment(seq uint64) error {
	path := segmentPath(p.dir, seq)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("storage: create segment: %w", err)
	}
	var b []byte
	b = appendRecord(b, recSegment, func(d []byte) []byte { return appendSegmentPayload(d, seq) })
	b = appendRecord(b, recHardState, func(d []byte) []byte { return appendHardStatePayload(d, p.fileHS) })
	err = preallocate(f, p.opts.SegmentSize)
	if err == nil {
		_, err = f.WriteAt(b, 0)
	}
	if err == nil && !p.opts.NoSync {
		err = f.Sync()
	}
	if err == nil {
		err = p.syncDirUnlessNoSync()
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("storage: start segment %s: %w", segmentName(seq), err)
	}
	p.stats.bytes.Add(uint64(len(b)))
	p.active = f
	p.segments = append(p.segments, segmentInfo{seq: seq, size: int64(len(b))})
	p.mu.Lock()
	man := p.man
	p.mu.Unlock()
	man.lastSeg = seq
	return p.writeManifestLocked(man)
}

// compactableSegments returns how many of the oldest segments hold nothing
// above snapIndex (counting every older segment too) and are not active.
// p.ioMu is held.
func (p *FilePersister) compactableSegments(snapIndex int) int {
	n := 0
	for n < len(p.segments)-1 && p.segments[n].maxIndex <= snapIndex {
		n++
	}
	return n
}

// SyncsInBackground reports whether Sync is worth running on a goroutine
// of its own while writes go on (it is safe to in any case): true unless
// Options.NoSync makes it nearly free. Raft's leader then keeps working
// while its log is fsynced.
func (p *FilePersister) SyncsInBackground() bool { return !p.opts.NoSync }

// trimActive cuts the unused preallocated space off the active segment and
// makes that durable, so that only the last segment can end in zeros
// (which recovery cuts off as unused space). p.ioMu is held.
func (p *FilePersister) trimActive() error {
	seg := p.segments[len(p.segments)-1]
	if err := p.active.Truncate(seg.size); err != nil {
		return fmt.Errorf("storage: trim segment %s: %w", segmentName(seg.seq), err)
	}
	if p.opts.NoSync {
		return nil
	}
	if err := p.active.Sync(); err != nil {
		return fmt.Errorf("storage: trim segment %s: %w", segmentName(seg.seq), err)
	}
	return nil
}
