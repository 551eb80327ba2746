package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// FilePersister is a durable persister kept in one directory. It offers the
// course persister's method set and the incremental log store Raft prefers
// (SetHardState, AppendLog, SaveSnapshot, Sync, LoadState). All methods are
// safe for concurrent use. Use one family for snapshots: SaveSnapshot and
// SaveStateAndSnapshot both replace the snapshot ReadSnapshot returns, but
// only SaveSnapshot moves the snapshot index that compacts the log.
type FilePersister struct {
	dir  string
	opts Options
	log  *slog.Logger
	lock *os.File

	// ioMu serialises everything that writes files: the group-commit
	// leader, segment rotation, snapshot and manifest replacement, Close.
	// Lock order: ioMu before mu.
	ioMu sync.Mutex
	// segments lists the live segments, oldest first; the last is active
	// and open for appending. Guarded by ioMu.
	segments []segmentInfo
	active   *os.File
	// fileHS is the hard state as of the end of what was written to the
	// active segment; a new segment starts with it. Guarded by ioMu.
	fileHS hardState
	// unsynced is set when bytes were written to the active segment
	// without an fsync. Guarded by ioMu.
	unsynced bool
	// spare is the buffer the next leader swaps in for buf. Guarded by ioMu.
	spare []byte

	mu sync.Mutex
	// closed is set by Close; err is sticky: after a failed write or
	// fsync the on-disk state is unknown and every write method returns it.
	closed bool
	err    error
	// buf holds encoded records not yet written to a segment; bufMaxIndex
	// is the highest log index they write.
	buf         []byte
	bufMaxIndex int
	// appended counts records put in buf since Open; synced is the value
	// it had when the last completed fsync took the buffer.
	appended, synced uint64
	// syncing is set while a Sync caller leads a group commit; the others
	// wait on syncDone, which is broadcast whenever synced moves or the
	// leader is done.
	syncing  bool
	syncDone sync.Cond
	// hs is the hard state including buffered records.
	hs hardState
	// snapIndex and snapTerm mirror man; lens[i] is the length of the entry
	// at snapIndex+1+i, logBytes their sum.
	lens     []int
	logBytes int64
	man      manifest
	snapshot []byte
	// loaded is Open's replay, handed to the first LoadState unless a write
	// came first; nil afterwards.
	loaded *logState

	stats struct {
		appends, syncCalls, fsyncs, bytes atomic.Uint64
	}
}

// Stats are counters since Open.
type Stats struct {
	// Appends counts AppendLog calls that wrote entries or truncated.
	Appends uint64
	// SyncCalls counts Sync calls, including ones that found nothing to do.
	SyncCalls uint64
	// Fsyncs counts fsyncs of log segments (zero with Options.NoSync). With
	// group commit it is well below SyncCalls under concurrency.
	Fsyncs uint64
	// BytesWritten counts bytes written to log segments.
	BytesWritten uint64
}

// Open opens the persister in dir, creating the directory if needed, and
// recovers its state: it cuts off a torn tail of the last log segment and
// returns an error wrapping ErrCorrupt if anything else is damaged or
// missing. Only one FilePersister may have dir open at a time. Open starts a
// new log segment, so the one a crash interrupted is never appended to.
func Open(dir string, opts Options) (*FilePersister, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if err := makeDir(dir, opts.NoSync); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("storage: open lock file: %w", err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, err
	}
	p := &FilePersister{dir: dir, opts: opts, log: opts.Logger, lock: lock}
	p.syncDone.L = &p.mu
	if err := p.recover(); err != nil {
		if p.active != nil {
			p.active.Close()
		}
		lock.Close()
		return nil, err
	}
	return p, nil
}

// recover loads the manifest and snapshot, replays and repairs the log and
// opens a fresh active segment.
func (p *FilePersister) recover() error {
	if err := removeTemps(p.dir); err != nil {
		return err
	}
	man, haveManifest, err := readManifest(p.dir)
	if err != nil {
		return err
	}
	if !haveManifest {
		man.firstSeg = 1
	}
	snap, err := readSnapshot(p.dir, man)
	if err != nil {
		return err
	}
	if err := p.removeStaleSnapshots(man.snapGen); err != nil {
		return err
	}
	seqs, err := p.liveSegments(man, haveManifest)
	if err != nil {
		return err
	}
	res, err := replay(p.dir, seqs, man.snapIndex, true, -1)
	if err != nil {
		return err
	}
	if err := p.repairTail(&res, man.lastSeg); err != nil {
		return err
	}
	next := man.firstSeg
	if n := len(res.segments); n > 0 {
		next = res.segments[n-1].seq + 1
	}
	p.man, p.snapshot = man, snap
	p.segments = res.segments
	p.hs, p.fileHS = res.log.hs, res.log.hs
	p.lens = make([]int, len(res.log.entries))
	for i, e := range res.log.entries {
		p.lens[i] = len(e)
		p.logBytes += int64(len(e))
	}
	p.loaded = &res.log
	return p.startSegment(next)
}

// liveSegments lists the segments from man.firstSeg on, deleting older
// leftovers of a compaction, and checks none up to man.lastSeg is missing.
func (p *FilePersister) liveSegments(man manifest, haveManifest bool) ([]uint64, error) {
	firstSeg := man.firstSeg
	all, err := listSegments(p.dir)
	if err != nil {
		return nil, err
	}
	var seqs []uint64
	for _, seq := range all {
		if seq < firstSeg {
			if err := os.Remove(segmentPath(p.dir, seq)); err != nil {
				return nil, fmt.Errorf("storage: remove compacted segment: %w", err)
			}
			p.log.Debug("removed compacted segment", "segment", seq)
			continue
		}
		seqs = append(seqs, seq)
	}
	if len(seqs) == 0 {
		if haveManifest {
			return nil, fmt.Errorf("storage: segment %s named by the manifest is missing: %w", segmentName(firstSeg), ErrCorrupt)
		}
		return nil, nil
	}
	if seqs[0] != firstSeg {
		return nil, fmt.Errorf("storage: segment %s is missing: %w", segmentName(firstSeg), ErrCorrupt)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			return nil, fmt.Errorf("storage: segment %s is missing: %w", segmentName(seqs[i-1]+1), ErrCorrupt)
		}
	}
	if last := seqs[len(seqs)-1]; last < man.lastSeg {
		return nil, fmt.Errorf("storage: segment %s named by the manifest is missing: %w", segmentName(last+1), ErrCorrupt)
	}
	return seqs, nil
}

// repairTail cuts a torn tail off the last segment, or deletes the last
// segment if not even its opening record survived (a crash while creating
// it can leave it empty or torn). A segment the manifest
// names as started (seq <= lastSeg) was durable before it was named, so
// losing its opening record is corruption, not a torn write.
func (p *FilePersister) repairTail(res *replayResult, lastSeg uint64) error {
	n := len(res.segments)
	if n == 0 || (!res.tail.torn && res.tail.end > 0) {
		return nil
	}
	last := res.segments[n-1]
	path := segmentPath(p.dir, last.seq)
	if res.tail.end == 0 {
		if last.seq <= lastSeg {
			return fmt.Errorf("storage: segment %s lost its opening record: %w", segmentName(last.seq), ErrCorrupt)
		}
		p.log.Warn("removing log segment torn at creation", "segment", last.seq, "reason", res.tail.tornReason)
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("storage: remove torn segment: %w", err)
		}
		res.segments = res.segments[:n-1]
		return p.syncDirUnlessNoSync()
	}
	if res.tail.unused {
		p.log.Debug("cutting unused preallocated space off log segment", "segment", last.seq, "offset", res.tail.end)
	} else {
		p.log.Warn("cutting torn tail off log segment", "segment", last.seq, "offset", res.tail.end, "reason", res.tail.tornReason)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("storage: open torn segment: %w", err)
	}
	err = f.Truncate(int64(res.tail.end))
	if err == nil && !p.opts.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: truncate torn segment: %w", err)
	}
	return nil
}

// removeStaleSnapshots deletes snapshot files other than generation keep.
func (p *FilePersister) removeStaleSnapshots(keep uint64) error {
	ents, err := os.ReadDir(p.dir)
	if err != nil {
		return fmt.Errorf("storage: list %s: %w", p.dir, err)
	}
	for _, e := range ents {
		var gen uint64
		if _, err := fmt.Sscanf(e.Name(), "snap-%016x.snap", &gen); err != nil || e.Name() != snapshotName(gen) || gen == keep {
			continue
		}
		if err := os.Remove(filepath.Join(p.dir, e.Name())); err != nil {
			return fmt.Errorf("storage: remove stale snapshot: %w", err)
		}
	}
	return nil
}

func (p *FilePersister) syncDirUnlessNoSync() error {
	if p.opts.NoSync {
		return nil
	}
	return syncDir(p.dir)
}

// Close writes and fsyncs buffered records, as Sync does, then releases the
// directory. Later calls of any write method return ErrClosed; Close itself
// returns nil when called again.
func (p *FilePersister) Close() error {
	p.ioMu.Lock()
	defer p.ioMu.Unlock()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	err := p.commitLocked(true)
	if err == nil && p.active != nil {
		err = p.trimActive()
	}
	p.mu.Lock()
	p.closed = true
	p.buf, p.spare, p.loaded = nil, nil, nil
	p.mu.Unlock()
	if p.active != nil {
		if cerr := p.active.Close(); err == nil {
			err = cerr
		}
		p.active = nil
	}
	if cerr := p.lock.Close(); err == nil {
		err = cerr
	}
	return err
}

// Stats returns counters since Open.
func (p *FilePersister) Stats() Stats {
	return Stats{
		Appends:      p.stats.appends.Load(),
		SyncCalls:    p.stats.syncCalls.Load(),
		Fsyncs:       p.stats.fsyncs.Load(),
		BytesWritten: p.stats.bytes.Load(),
	}
}

// Dir returns the directory the persister lives in.
func (p *FilePersister) Dir() string { return p.dir }

// usableLocked returns why writes are refused, if they are. p.mu is held.
func (p *FilePersister) usableLocked() error {
	if p.closed {
		return ErrClosed
	}
	return p.err
}

// fail makes err sticky and returns it.
func (p *FilePersister) fail(err error) error {
	p.mu.Lock()
	if p.err == nil {
		p.err = fmt.Errorf("storage: persister failed, state on disk unknown: %w", err)
	}
	err = p.err
	p.mu.Unlock()
	p.log.Error("persister failed", "err", err)
	return err
}

var errNotOpen = errors.New("storage: no active segment")
