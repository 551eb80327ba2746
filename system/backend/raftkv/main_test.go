package raftkv

import (
	"testing"

	"faultline/internal/nodetest"
)

// nodeMarker, found in the test binary's arguments, makes it run as a
// raftkv node (the process-mode tests re-execute themselves).
const nodeMarker = "raftkv-test-node"

func TestMain(m *testing.M) { nodetest.Main(m, nodeMarker, RunNode) }

// selfExec is the Spec.Exec that runs this test binary as a node.
func selfExec(t testing.TB) []string { return nodetest.Exec(t, nodeMarker) }
