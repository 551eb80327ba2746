package nodetest

import (
	"context"
	"errors"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"faultline/system/backend"
)

// ProcessCluster is a process-mode cluster that lists its node processes
// (a backend cluster on a nodeproc.Set).
type ProcessCluster interface {
	backend.Cluster
	Pids() []int
}

// StopLeavesNoProcess checks that c runs want node processes, stops it
// twice, and fails t unless every node's process group is gone and no
// node process is left in /proc.
func StopLeavesNoProcess(t testing.TB, c ProcessCluster, want int) {
	t.Helper()
	pids := c.Pids()
	if len(pids) != want {
		t.Fatalf("%d node processes, want %d", len(pids), want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process group %d still exists after Stop (kill 0: %v)", pid, err)
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			t.Errorf("node process %d still in /proc", pid)
		}
	}
}
