//go:build !linux

package storage

import "os"

// datasync makes f's data durable; without fdatasync it is an fsync.
func datasync(f *os.File) error { return f.Sync() }
