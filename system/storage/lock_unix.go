//go:build unix

package storage

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f without waiting. The lock
// goes away with the process, so a killed owner never blocks a restart.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("storage: %s is locked by another persister", f.Name())
	}
	if err != nil {
		return fmt.Errorf("storage: lock %s: %w", f.Name(), err)
	}
	return nil
}
