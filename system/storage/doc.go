// Package storage is Faultline's durable on-disk persister for Raft.
//
// A FilePersister lives in one directory and offers two method sets:
//
//   - the course persister's shape (SaveRaftState, ReadRaftState,
//     RaftStateSize, SaveStateAndSnapshot, ReadSnapshot, SnapshotSize), where
//     every save replaces an opaque state blob atomically and durably, and
//   - an incremental log store (SetHardState, AppendLog, SaveSnapshot, Sync,
//     LoadState) that Raft prefers when it finds it by type assertion: writes
//     are appended to a write-ahead log and made durable in groups by Sync.
//
// # Layout on disk
//
//	LOCK                   advisory lock held while the directory is open
//	MANIFEST               current snapshot (generation, index, term, size,
//	                       checksum), first live and newest started segment,
//	                       course state blob
//	snap-<gen>.snap        snapshot bytes behind a checksummed header
//	wal-<seq>.log          write-ahead log segments, seq counting up
//
// MANIFEST and snapshot files are replaced atomically: write a temporary
// file, fsync it, rename it over the old name, fsync the directory.
//
// # Write-ahead log
//
// A segment is a sequence of records. Every record has a 16-byte header (the
// payload length, the record type, a CRC32C of the payload and a CRC32C of the
// header itself) and a payload. A segment opens with a segment record naming
// its sequence number and a hard-state record, so deleting whole segments
// from the front never loses the current term and vote. Every Open starts a
// new segment, and segments rotate once they pass Options.SegmentSize; a new
// segment is named in the manifest once durable, before anything is written
// to it, so a lost segment is always noticed. After SaveSnapshot, segments
// that only hold entries at or below the snapshot index are deleted.
//
// Sync is a group commit: the first caller becomes the leader, writes every
// record buffered so far with one write and fsyncs once; callers that arrive
// meanwhile wait on a condition, return as soon as an fsync covers them, and
// the rest are covered by the next leader's single fsync. With 64 concurrent
// appenders one fsync covers about 32 appends. A segment's records are made
// durable with fdatasync where the system has it (Linux): the data and the
// size needed to read it back, without the timestamps that would cost the
// file system a journal commit each time; new segments, snapshots, the
// manifest and the directory are fsynced. Where the system can (Linux), a
// new segment's SegmentSize bytes are allocated up front, as etcd's WAL
// does, so that these fdatasyncs flush records rather than the file's
// growth; the unused zeros are trimmed (durably) when the segment is left
// at rotation or Close, and after a crash recovery cuts them off the last
// segment as it cuts a torn tail.
//
// # Recovery
//
// Open replays the log. A damaged record at the end of the last segment that
// looks like an interrupted write (the file ends inside it, or a 512-byte
// sector of it reads as zeros) is a torn tail: it and everything after it
// are cut off, since nothing past it was ever acknowledged by Sync. Any other
// damage (a checksum mismatch with no sign of a torn write, a damaged record
// in an older segment, a missing segment or snapshot) makes Open fail with an
// error wrapping ErrCorrupt; the persister never starts from bad state.
//
// # Imports
//
// storage imports only the standard library; system/raft, above it, uses
// it through raft's Persister and LogStore interfaces. It never imports a
// service nor anything under system/backend.
package storage
