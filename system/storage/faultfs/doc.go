// Package faultfs is Faultline's fault-injecting file system: a FUSE
// passthrough (github.com/hanwen/go-fuse/v2) mounted over a node's data
// directory that knows which of the node's writes are durable, so that it
// can make the directory look as a power cut would leave it, and that
// fails, slows or corrupts storage operations on demand.
//
// # Use
//
// The harness checks Available before a run that asks for storage faults
// (it fails, wrapping ErrUnavailable, where there is no /dev/fuse, no
// right to mount, or a container forbids it), calls CleanStale on its runs
// directory at start, and mounts one FS per node:
//
//	f, err := faultfs.Mount(faultfs.Config{
//		Mountpoint: nodeDataDir,           // what the node is given
//		Backing:    nodeDataDir + ".real", // where the bytes live
//		Seed:       runSeed,
//	})
//	defer f.Close()
//
// A run without storage faults mounts nothing. Close unmounts on every
// exit path the harness controls (a mount still busy is detached); a
// harness killed outright leaves a stale mount, which CleanStale (and
// Mount, for its own mountpoint) finds by its type "fuse.faultfs" and its
// source "faultfs:<pid>:<start time>" in /proc/self/mountinfo and
// unmounts once that process is gone. Root mounts directly; elsewhere the
// fusermount3 helper of the fuse3 package is needed.
//
// # Faults: one method per chaos kind
//
//	power-loss  kill the node; rep, err := f.PowerLoss(mode); restart the node
//	disk-full   w, err := f.DiskFull(DiskFull{Budget: n}); ... w.Heal()
//	io-error    w, err := f.IOError(IOError{Pattern: "wal-*", Ops: OpWrite|OpFsync}); ... w.Heal()
//	slow-disk   w, err := f.SlowDisk(SlowDisk{Latency: transport.LinkFaults{Delay, Jitter, Distribution}}); ... w.Heal()
//	corrupt     w, err := f.Corrupt(Corrupt{File, Offset, Length, Bits, OnRead}); ... w.Heal()
//
// A window fault begins when its method returns and ends at Heal;
// windows of one kind may overlap. Power loss modes: DropUnsynced,
// KeepRandomPrefix, TearLastWrite (a cut at a random byte) and
// TearLastSector (a cut at a sector boundary, the tear a disk makes).
// Every random choice (the prefix kept, the tear, the bits flipped,
// slow-disk latencies) comes from Config.Seed.
//
// # Durability
//
// Every operation is applied to the backing directory at once, so the
// node reads what it wrote, as from the page cache; what it takes to undo
// the operation is kept until an fsync makes it durable:
//
//   - a write, truncate or fallocate of a file keeps the file's old size
//     and a pre-image of the bytes it overwrote or cut (runs of zeros are
//     not stored, so overwriting a preallocated log or trimming it costs
//     no memory); fsync or fdatasync of the file makes every such change
//     made before it began durable. A file opened O_SYNC or O_DSYNC is
//     durable at every write.
//   - a new entry (create, mkdir, link, symlink, mknod) is recorded in its
//     directory; an entry removed (unlink, rmdir, the target a rename
//     replaces) is moved into the attic, a directory beside the backing
//     one (Backing + AtticSuffix), rather than deleted. fsync of the
//     directory makes its entry changes durable and deletes their attic
//     entries; a rename belongs to its destination directory. Creating a
//     file and fsyncing it does not make its name durable.
//   - a failed fsync makes nothing durable. Metadata (mode, owner, times,
//     xattrs) is not tracked.
//
// PowerLoss unmounts (so the kernel's caches go, as in a reboot), undoes
// the un-synced operations that the mode drops, newest first across files
// and directories (writes from their pre-images, entries from the attic;
// an entry a later durable operation moved away is skipped and reported),
// empties the attic and mounts again. Undo works through descriptors the
// tracker holds on the files and directories it has un-synced operations
// for, so renames since do not matter. The memory kept is the
// pre-images: bytes overwritten or truncated away since the file's last
// fsync.
//
// The tree under Backing must be one file system, with the attic on it.
// Reads come from the kernel's page cache when it has the page; when a
// read fault begins (io-error on reads, corrupt on read) and ends, the
// cached pages of the files concerned are dropped, so later reads come
// here. copy_file_range is refused (the kernel then copies with reads and
// writes), and fallocate modes that move data (collapse, insert) are not
// supported.
//
// # Imports
//
// faultfs imports go-fuse, golang.org/x/sys/unix and transport (for the
// delay distributions of link faults, shared with slow-disk) and nothing
// else of Faultline; it never imports a protocol package, so any node
// (raft, etcd, a Maelstrom binary) can run on it. The chaos layer calls
// it through the harness.
package faultfs
