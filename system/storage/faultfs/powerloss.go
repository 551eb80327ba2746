package faultfs

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"golang.org/x/sys/unix"
)

// LossMode says what of the un-synced operations a power loss keeps. The
// un-synced operations are ordered as they happened, across files and
// directories; every mode keeps a prefix of them (what the page cache had
// written back when the power went) and drops the rest.
type LossMode string

// Power loss modes.
const (
	// DropUnsynced keeps nothing that was not made durable.
	DropUnsynced LossMode = "drop-unsynced"
	// KeepRandomPrefix keeps a random prefix of the un-synced operations,
	// from none to all.
	KeepRandomPrefix LossMode = "keep-random-prefix"
	// TearLastWrite keeps every un-synced operation before the last
	// write, and of that write a random prefix of its bytes (none to all
	// but one); what came after it is dropped. With no un-synced write it
	// is DropUnsynced. A cut inside a 512-byte sector is more than a disk
	// does (it writes whole sectors or none), so a log that tells torn
	// writes from corruption by zeroed sectors, as system/storage and
	// etcd's WAL do, rightly sees corruption there; TearLastSector is the
	// tear a disk makes.
	TearLastWrite LossMode = "tear-last-write"
	// TearLastSector is TearLastWrite with the cut on a sector boundary
	// (a multiple of SectorSize in the file, or the write's start): the
	// write's first sectors reach the disk and the rest do not.
	TearLastSector LossMode = "tear-last-sector"
)

// SectorSize is the unit a disk writes whole, for TearLastSector.
const SectorSize = 512

// LossReport says what a power loss did.
type LossReport struct {
	Mode LossMode
	// Pending counts the un-synced operations (writes, truncates,
	// directory entry changes) when the power went; Kept of them, a
	// prefix, survived.
	Pending, Kept int
	// Torn is the torn write under TearLastWrite.
	Torn *TornWrite
	// Lost lists the paths whose un-synced changes were dropped, once
	// each, in the order they were undone.
	Lost []string
	// Skipped lists the undo steps that found their target gone (an
	// entry moved away by a later operation that was durable); the rest
	// of the undo went on.
	Skipped []string
}

// TornWrite is the write a TearLastWrite power loss tore: of Length bytes
// written at Offset of File, Kept survived.
type TornWrite struct {
	File           string
	Offset, Length int64
	Kept           int64
}

// pendingOp is one un-synced op, of a file (data) or a directory (entry).
type pendingOp struct {
	seq   uint64
	file  *fileState
	data  *dataOp
	dir   *dirState
	entry *entryOp
}

// PowerLoss cuts the power: call it after the node using the mount was
// killed, and restart the node after it returns. It unmounts the file
// system (dropping the kernel's caches as a reboot would), rewrites the
// backing directory to the durable state plus what mode keeps (undoing
// the rest newest first: writes and truncates from their pre-images,
// entries from the attic), and mounts it again. Faults in force stay in
// force.
func (f *FS) PowerLoss(mode LossMode) (LossReport, error) {
	rep := LossReport{Mode: mode}
	switch mode {
	case DropUnsynced, KeepRandomPrefix, TearLastWrite, TearLastSector:
	default:
		return rep, fmt.Errorf("faultfs: power-loss: mode %q, want %q, %q, %q or %q", mode, DropUnsynced, KeepRandomPrefix, TearLastWrite, TearLastSector)
	}
	f.life.Lock()
	defer f.life.Unlock()
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return rep, fmt.Errorf("faultfs: power-loss: file system closed")
	}
	if err := f.unmount(false); err != nil {
		return rep, err
	}
	f.gate.Lock()
	ops := f.track.pending()
	rep.Pending = len(ops)
	keep, tear := len(ops), int64(-1)
	f.draw(func(r *rand.Rand) { keep, tear = cut(r, mode, ops) })
	rep.Kept = keep
	var errs []error
	seen := map[string]bool{}
	for i := len(ops) - 1; i >= keep; i-- {
		op := ops[i]
		kept := int64(-1)
		if i == keep && tear >= 0 {
			kept = tear
			d := op.data
			rep.Torn = &TornWrite{File: d.name, Offset: d.pre.from, Length: d.end - d.pre.from, Kept: tear}
		}
		name, skip, err := undo(f, op, kept)
		if !seen[name] {
			seen[name] = true
			rep.Lost = append(rep.Lost, name)
		}
		if skip != "" {
			rep.Skipped = append(rep.Skipped, skip)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if rep.Torn != nil {
		// The torn write is kept in part: count it among the kept.
		rep.Kept++
	}
	f.track.reset()
	errs = append(errs, f.emptyAttic())
	f.gate.Unlock()
	// Mount again whatever happened: the node must find its directory.
	errs = append(errs, f.mount())
	if err := errors.Join(errs...); err != nil {
		return rep, fmt.Errorf("faultfs: power-loss: %w", err)
	}
	return rep, nil
}

// pending returns every un-synced op, oldest first.
func (t *tracker) pending() []pendingOp {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []pendingOp
	for _, s := range t.files {
		for i := range s.ops {
			out = append(out, pendingOp{seq: s.ops[i].seq, file: s, data: &s.ops[i]})
		}
	}
	for _, s := range t.dirs {
		for i := range s.ops {
			out = append(out, pendingOp{seq: s.ops[i].seq, dir: s, entry: &s.ops[i]})
		}
	}
	slices.SortFunc(out, func(a, b pendingOp) int { return compare(a.seq, b.seq) })
	return out
}

func compare(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cut chooses how many ops survive and, under TearLastWrite, how many
// bytes of the torn one (ops[keep]); tear is -1 when nothing is torn.
func cut(r *rand.Rand, mode LossMode, ops []pendingOp) (keep int, tear int64) {
	switch mode {
	case KeepRandomPrefix:
		return r.IntN(len(ops) + 1), -1
	case TearLastWrite, TearLastSector:
		for i := len(ops) - 1; i >= 0; i-- {
			d := ops[i].data
			if d == nil || !d.write {
				continue
			}
			if mode == TearLastWrite {
				return i, r.Int64N(d.end - d.pre.from)
			}
			// Cut at the write's start or at a sector boundary inside it.
			first := d.pre.from/SectorSize + 1 // first boundary after the start
			last := (d.end - 1) / SectorSize   // last boundary before the end
			k := r.Int64N(max(last-first+1, 0) + 1)
			if k == 0 {
				return i, 0
			}
			return i, (first+k-1)*SectorSize - d.pre.from
		}
	}
	return 0, -1
}

// undo reverts one op; a data op keeps its first kept bytes when kept >=
// 0. It returns the path the op touched, a note when its target was gone,
// and an error when the backing directory refused.
func undo(f *FS, op pendingOp, kept int64) (name, skipped string, err error) {
	if d := op.data; d != nil {
		fd := op.file.fd
		size, from := d.oldSize, d.pre.from
		if kept >= 0 {
			size = max(d.oldSize, d.pre.from+kept)
			from = d.pre.from + kept
		}
		if err := unix.Ftruncate(fd, size); err != nil {
			return d.name, "", fmt.Errorf("truncate %s to %d: %w", d.name, size, err)
		}
		if err := d.pre.restore(fd, from); err != nil {
			return d.name, "", fmt.Errorf("restore %s at %d: %w", d.name, from, err)
		}
		return d.name, "", nil
	}
	e, dirfd := op.entry, op.dir.fd
	switch e.kind {
	case entryNew:
		err = unix.Renameat(dirfd, e.name, unix.AT_FDCWD, f.atticPath(f.atticName()))
	case entryGone:
		err = unix.Renameat(unix.AT_FDCWD, f.atticPath(e.attic), dirfd, e.name)
	case entryRename:
		err = unix.Renameat(dirfd, e.name, e.fromDir.fd, e.fromName)
		if err == nil && e.attic != "" {
			err = unix.Renameat(unix.AT_FDCWD, f.atticPath(e.attic), dirfd, e.name)
		}
	case entryExchange:
		err = unix.Renameat2(dirfd, e.name, e.fromDir.fd, e.fromName, unix.RENAME_EXCHANGE)
	}
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EBADF) {
		return e.path, fmt.Sprintf("%s: %v", e.path, err), nil
	}
	if err != nil {
		return e.path, "", fmt.Errorf("undo entry %s: %w", e.path, err)
	}
	return e.path, "", nil
}
