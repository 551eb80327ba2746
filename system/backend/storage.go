package backend

import (
	"context"
	"time"
)

// StorageFaulter is a Cluster whose nodes keep their data in directories
// the harness controls and, started with Spec.StorageFaults, has mounted
// on a fault-injecting file system, one per node. Power loss is a kill
// (Killer.Kill), LosePower, then Killer.Restart; the other storage faults
// are windows begun by StorageFault and ended by the window's Heal.
type StorageFaulter interface {
	// LosePower makes the data directory of node, which must be down
	// (killed), look as a power cut leaves it: of what the node wrote and
	// did not make durable, mode says what survives. It returns a
	// one-line account (how much was pending, kept, torn).
	LosePower(ctx context.Context, node string, mode LossMode) (string, error)
	// StorageFault begins f on node's storage.
	StorageFault(ctx context.Context, node string, f StorageFault) (StorageWindow, error)
}

// LossMode says what of a node's un-synced writes a power loss keeps.
type LossMode string

// Power loss modes.
const (
	// LossDropUnsynced keeps nothing that was not made durable.
	LossDropUnsynced LossMode = "drop-unsynced"
	// LossKeepRandomPrefix keeps a random prefix of the un-synced
	// operations, in the order they happened.
	LossKeepRandomPrefix LossMode = "keep-random-prefix"
	// LossTearLastWrite keeps the operations before the last write and a
	// random prefix of that write's bytes (a cut at any byte).
	LossTearLastWrite LossMode = "tear-last-write"
	// LossTearLastSector is LossTearLastWrite with the cut on a 512-byte
	// sector boundary: the tear a disk makes.
	LossTearLastSector LossMode = "tear-last-sector"
)

// LossModes lists the power loss modes.
func LossModes() []LossMode {
	return []LossMode{LossDropUnsynced, LossKeepRandomPrefix, LossTearLastWrite, LossTearLastSector}
}

// StorageKind is a storage fault that lasts a window.
type StorageKind string

// Storage fault kinds begun by StorageFault.
const (
	// StorageDiskFull: writes, fsyncs and new entries fail with ENOSPC
	// (once Budget bytes more were written).
	StorageDiskFull StorageKind = "disk-full"
	// StorageIOError: the chosen operations on matching files fail with EIO.
	StorageIOError StorageKind = "io-error"
	// StorageSlowDisk: fsyncs (and with Writes, writes) are delayed.
	StorageSlowDisk StorageKind = "slow-disk"
	// StorageCorrupt: bits flip in a matching file, at rest or on read.
	StorageCorrupt StorageKind = "corrupt"
)

// StorageFault describes one storage fault window on a node; each kind
// reads its own fields.
type StorageFault struct {
	Kind StorageKind
	// Budget (disk-full) is how many bytes may still be written before
	// the disk is full; 0 means at once.
	Budget int64
	// Pattern (io-error, corrupt) chooses files by their path relative to
	// the data directory (path.Match syntax; "" every file). A corrupt
	// fault picks one matching file at random.
	Pattern string
	// Read, Write and Fsync (io-error) choose the operations that fail;
	// none set means all three.
	Read, Write, Fsync bool
	// Delay, Jitter and Distribution (slow-disk) are the latency of an
	// fsync, as the delay of a link fault (mean, spread, "uniform",
	// "normal" or "pareto"); Writes delays writes too.
	Delay, Jitter time.Duration
	Distribution  string
	Writes        bool
	// Offset, Length and Bits (corrupt) say where and how many bits flip:
	// Bits (default 1) in [Offset, Offset+Length) of the file, Length 0
	// meaning to its end. OnRead flips them in every read until healed,
	// the file untouched; otherwise they flip in the file, for good.
	Offset, Length int64
	Bits           int
	OnRead         bool
}

// StorageWindow is a storage fault in force.
type StorageWindow struct {
	// Desc says what was done ("io-error on write, fsync of wal-*").
	Desc string
	// Heal ends the fault and brings back the node if it stopped on a
	// storage error meanwhile; it may be called again after it failed.
	Heal func(ctx context.Context) error
}
