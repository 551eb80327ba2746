// Package nodetest holds the test scaffolding the backends under
// system/backend (and the MapReduce lab tests) share: a TestMain that lets
// the test binary run as one node (the process-mode tests re-execute
// themselves), the Spec.Exec that does so, and the checks that a stopped
// cluster leaves no goroutine (NoGoroutinesLeft, StopLeavesNoGoroutines)
// and no child process (NoChildren) behind, and that Stop ends every node
// process of a process-mode cluster (StopLeavesNoProcess).
//
// GetPutAppend is the smoke test of a backend client; NetnsStart and
// NetnsCluster start and check a cluster whose nodes are hosts of their
// own (the option network: netns).
//
// It imports system/backend, system/backend/kernelnet, transport and the
// standard library; only tests import it.
package nodetest
