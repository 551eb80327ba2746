package nodetest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
)

// Main is the body of a backend package's TestMain. When marker is among
// the binary's arguments, the process is a node: it calls run with the
// arguments after marker and exits, 1 on an error. Otherwise it runs the
// tests, then every cleanup.
func Main(m *testing.M, marker string, run func(ctx context.Context, args []string) error, cleanups ...func()) {
	if i := slices.Index(os.Args, marker); i >= 0 {
		if err := run(context.Background(), os.Args[i+1:]); err != nil {
			fmt.Fprintln(os.Stderr, "node:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	os.Exit(code)
}

// Exec is the Spec.Exec that runs this test binary as a node, for a
// package whose TestMain calls Main with the same marker.
func Exec(t testing.TB, marker string) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{exe, marker}
}
