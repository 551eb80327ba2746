package etcd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
)

// nodeMarker, found in the test binary's arguments, makes it run as an
// etcd member (the process-mode tests re-execute themselves).
const nodeMarker = "etcd-test-node"

func TestMain(m *testing.M) {
	if i := slices.Index(os.Args, nodeMarker); i >= 0 {
		if err := RunNode(context.Background(), os.Args[i+1:]); err != nil {
			fmt.Fprintln(os.Stderr, "node:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// selfExec is the Spec.Exec that runs this test binary as a member.
func selfExec(t testing.TB) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{exe, nodeMarker}
}
