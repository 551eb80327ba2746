package faultfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync makes file's data durable as a write-ahead log does.
func fdatasync(file *os.File) error { return unix.Fdatasync(int(file.Fd())) }
