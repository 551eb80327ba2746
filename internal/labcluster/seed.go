package labcluster

import (
	"math/rand/v2"
	"sync"
	"testing"

	"faultline/internal/testseed"
	"faultline/transport/simnet"
)

// Seed returns the -seed flag, or a time-based seed when it is not given,
// and logs it so that a failing run can be replayed (testseed.Time).
func Seed(t testing.TB) int64 {
	t.Helper()
	return int64(testseed.Time(t))
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
