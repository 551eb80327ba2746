package storage

import "errors"

// ErrCorrupt is wrapped by every error that reports damaged or missing
// on-disk state: a record or file failing its checksum away from a torn
// tail, a missing segment or snapshot file, or records that contradict each
// other. A persister never opens over such state.
var ErrCorrupt = errors.New("storage: corrupt")

// ErrClosed is returned by every method called after Close.
var ErrClosed = errors.New("storage: closed")

// ErrCompacted is returned when a write names a log index at or below the
// current snapshot index: AppendLog at such an index, or SaveSnapshot with an
// index below the current one.
var ErrCompacted = errors.New("storage: index compacted")

// ErrOutOfRange is returned by AppendLog when its index would leave a gap
// after the last log index, or is not positive.
var ErrOutOfRange = errors.New("storage: index out of range")
