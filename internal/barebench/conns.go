package barebench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
)

// Load shapes the bare loop of a measurement.
type Load struct {
	Clients   int           // closed-loop clients (64)
	Keys      int           // uniform keys (10000)
	ValueSize int           // bytes (128)
	Duration  time.Duration // of one measurement
	Rounds    int           // alternating rounds (odd, >= 3)
}

// Spec returns the bare spec of load for ops of kind: every client a
// script of 4096 uniformly drawn keys, seeded by its index.
func (l Load) Spec(kind backend.BareKind) backend.BareSpec {
	s := backend.BareSpec{Duration: l.Duration, Timeout: 5 * time.Second}
	for i := range l.Clients {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		script := make([]backend.BareOp, 4096)
		for k := range script {
			script[k] = backend.BareOp{Kind: kind, Key: fmt.Sprintf("k%d", r.IntN(l.Keys))}
		}
		s.Scripts = append(s.Scripts, script)
		v := fmt.Sprintf("c%d.", i)
		s.Values = append(s.Values, v+strings.Repeat(".", max(l.ValueSize-len(v), 0)))
	}
	return s
}

// Conns runs bare (the backend's loop with a fresh pool of n connections)
// for every pool size in sizes and for gets and puts, round after round,
// the order of the sizes reversed every other round, and reports each
// median throughput as "<op>-conns<n>-ops/s" (and logs the rounds). A
// measurement with a definite error fails the benchmark.
func Conns(b *testing.B, l Load, sizes []int, bare func(ctx context.Context, n int, spec backend.BareSpec) (backend.BareResult, error)) {
	kinds := []backend.BareKind{backend.BareGet, backend.BarePut}
	names := map[backend.BareKind]string{backend.BareGet: "get", backend.BarePut: "put"}
	got := map[string][]float64{}
	for range b.N {
		for r := range l.Rounds {
			order := slices.Clone(sizes)
			if r%2 == 1 {
				slices.Reverse(order)
			}
			for _, kind := range kinds {
				for _, n := range order {
					res, err := bare(context.Background(), n, l.Spec(kind))
					if err != nil {
						b.Fatal(err)
					}
					ops, errs, definite := res.Total()
					if definite > 0 {
						b.Fatalf("%s conns=%d: %d definite errors", names[kind], n, definite)
					}
					key := fmt.Sprintf("%s-conns%d", names[kind], n)
					got[key] = append(got[key], res.OpsPerSec())
					b.Logf("round %d %s: %.0f ops/s (%d ops, %d errors)", r+1, key, res.OpsPerSec(), ops, errs)
				}
			}
		}
	}
	for _, kind := range kinds {
		for _, n := range sizes {
			key := fmt.Sprintf("%s-conns%d", names[kind], n)
			xs := slices.Sorted(slices.Values(got[key]))
			b.ReportMetric(xs[len(xs)/2], key+"-ops/s") // the median of an odd count of rounds
		}
	}
}
