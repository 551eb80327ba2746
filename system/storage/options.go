package storage

import (
	"fmt"
	"log/slog"
)

// DefaultSegmentSize is the segment size Open uses when Options.SegmentSize
// is zero.
const DefaultSegmentSize = 64 << 20

// MinSegmentSize is the smallest accepted Options.SegmentSize.
const MinSegmentSize = 1 << 10

// Options configures Open. The zero value is valid: fsync on, 64 MiB
// segments, no logging.
type Options struct {
	// NoSync turns every fsync off (of log segments, snapshot and manifest
	// files and the directory). Writes still reach the operating system, so
	// a killed process loses nothing, but a machine crash may lose or tear
	// anything. For benchmarks only, like etcd's unsafe no-fsync mode.
	NoSync bool

	// SegmentSize is the size in bytes past which the write-ahead log moves
	// on to a new segment file. It is a soft limit: a segment ends after the
	// write that crosses it, so one large write can exceed it. Zero means
	// DefaultSegmentSize; otherwise it must be at least MinSegmentSize.
	SegmentSize int64

	// Logger receives recovery events (torn tails cut off) at Warn and
	// segment rotation and deletion at Debug. Nil discards them.
	Logger *slog.Logger
}

// Validate reports the first field that is out of bounds, naming the field
// and its value.
func (o Options) Validate() error {
	if o.SegmentSize != 0 && o.SegmentSize < MinSegmentSize {
		return fmt.Errorf("storage: Options.SegmentSize %d is below the minimum %d", o.SegmentSize, MinSegmentSize)
	}
	return nil
}

// withDefaults returns o with zero fields replaced by their defaults.
func (o Options) withDefaults() Options {
	if o.SegmentSize == 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
