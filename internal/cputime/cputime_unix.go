//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// Used returns the user plus system CPU time of the process so far, all
// threads together; 0 if it cannot be read.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
