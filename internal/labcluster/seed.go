package labcluster

import (
	"flag"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"faultline/transport/simnet"
)

var seedFlag = flag.Int64("seed", 0, "seed for the simulated network and test randomness (0: time-based)")

// Seed returns the -seed flag, or a time-based seed when it is 0, and logs
// it so that a failing run can be replayed.
func Seed(t testing.TB) int64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay with -seed %d)", seed, seed)
	return seed
}

// Net is a seeded simulated network, cleaned up with the test, and a
// random source drawn from the same seed for the test's own choices.
type Net struct {
	*simnet.Network
	Seed int64

	mu  sync.Mutex
	rng *rand.Rand
}

// NewNet returns a network seeded by Seed(t), reliable or not, that t
// cleans up after every group on it has stopped (cleanups run last in,
// first out, and groups are made after the network).
func NewNet(t testing.TB, reliable bool) *Net {
	t.Helper()
	seed := Seed(t)
	n := &Net{Network: simnet.MakeNetwork(seed), Seed: seed, rng: rand.New(rand.NewPCG(uint64(seed), 7))}
	n.Reliable(reliable)
	t.Cleanup(n.Cleanup)
	return n
}

// IntN returns a random int in [0, n) from the test's seeded source. It is
// safe for concurrent use.
func (n *Net) IntN(k int) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.rng.IntN(k)
}
