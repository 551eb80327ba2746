package etcd

import (
	"testing"

	"faultline/internal/nodetest"
)

// TestStopLeavesNoGoroutines starts an in-process cluster, uses, kills and
// restarts a member, stops the cluster, and checks that every goroutine it
// started has exited.
func TestStopLeavesNoGoroutines(t *testing.T) {
	nodetest.StopLeavesNoGoroutines(t, Backend{}, "n1")
}
