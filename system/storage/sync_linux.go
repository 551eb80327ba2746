package storage

import (
	"os"
	"syscall"
)

// datasync makes f's data durable with fdatasync: like fsync, it flushes
// the file's contents and the metadata needed to read them back (its
// size), but not timestamps, which spares the journal a commit on every
// call.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// preallocate gives f size bytes of allocated space (zeros), as etcd's
// WAL does for its segments.
func preallocate(f *os.File, size int64) error {
	for {
		err := syscall.Fallocate(int(f.Fd()), 0, 0, size)
		if err != syscall.EINTR {
			return err
		}
	}
}
