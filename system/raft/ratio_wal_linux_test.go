package raft

import (
	"os"
	"syscall"
)

// preallocate extends f to size bytes with allocated blocks, as etcd's
// fileutil.Preallocate does on Linux.
func preallocate(f *os.File, size int64) error {
	return syscall.Fallocate(int(f.Fd()), 0, 0, size)
}

// datasync flushes f's data (and only the metadata needed to read it), as
// etcd's fileutil.Fdatasync does on Linux.
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
