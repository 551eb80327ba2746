package testseed

import (
	"flag"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("seed", 0, "seed of randomized tests, to replay a run (0: each test picks one, logged)")

// Flag returns the -seed flag and whether it was given (it is not zero).
func Flag() (uint64, bool) { return *seedFlag, *seedFlag != 0 }

// Or returns the -seed flag, or def when it was not given, and logs the
// seed so that a failing run can be replayed.
func Or(t testing.TB, def uint64) uint64 {
	t.Helper()
	seed, ok := Flag()
	if !ok {
		seed = def
	}
	t.Logf("seed %d (replay with -seed %d)", seed, seed)
	return seed
}

// Time is Or with a seed drawn from the clock.
func Time(t testing.TB) uint64 {
	t.Helper()
	return Or(t, uint64(time.Now().UnixNano()))
}
