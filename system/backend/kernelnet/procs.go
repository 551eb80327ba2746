package kernelnet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// killProcsIn sends SIGKILL to every process whose network namespace is
// the one pinned at path: after a crash of the harness its node processes
// live on inside the namespaces it made, and removing the pin would leave
// them running, unreachable. It returns the pids it killed. A process that
// exits meanwhile is not an error.
func killProcsIn(path string) ([]int, error) {
	var pin syscall.Stat_t
	if err := syscall.Stat(path, &pin); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list /proc: %w", err)
	}
	var killed []int
	var errs []error
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		var ns syscall.Stat_t
		if syscall.Stat(filepath.Join("/proc", e.Name(), "ns", "net"), &ns) != nil {
			continue // gone, or a kernel thread without one
		}
		if ns.Dev != pin.Dev || ns.Ino != pin.Ino {
			continue
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill %d in %s: %w", pid, path, err))
			continue
		}
		killed = append(killed, pid)
	}
	return killed, errors.Join(errs...)
}
