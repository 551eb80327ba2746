package raftkv

import (
	"testing"

	"faultline/internal/nodetest"
)

// TestStopLeavesNoGoroutines starts an in-process cluster, uses, kills and
// restarts a node, stops the cluster, and checks that every goroutine it
// started has exited.
func TestStopLeavesNoGoroutines(t *testing.T) {
	nodetest.StopLeavesNoGoroutines(t, Backend{}, "n1")
}
