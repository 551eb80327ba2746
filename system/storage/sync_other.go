//go:build !linux

package storage

import "os"

// datasync makes f's data durable; without fdatasync it is an fsync.
func datasync(f *os.File) error { return f.Sync() }

// preallocate does nothing where fallocate is not available: the segment
// grows with its records.
func preallocate(*os.File, int64) error { return nil }
