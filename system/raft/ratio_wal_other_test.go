//go:build !linux

package raft

import "os"

// preallocate extends f to size bytes (sparse where the system has no
// fallocate).
func preallocate(f *os.File, size int64) error { return f.Truncate(size) }

// datasync flushes f with fsync where the system has no fdatasync.
func datasync(f *os.File) error { return f.Sync() }
