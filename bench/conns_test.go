package main

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

// BenchmarkConns chooses each backend's default option conns: one
// in-process cluster per backend (3 nodes, 1 for memory; fsync off, so
// that the disk does not hide the client path), 64 closed-loop clients of
// its bare loop (the backend's own client library: clientv3, the kvraft
// clerk, the memory client) calling linearizable Get, then Put, on 10k
// uniform keys of 128 B, over fresh pools of 1, 2, 4, 8, 16 and 64
// connections (BareSpec.Conns), 1 s per measurement, the sizes' order
// alternating from round to round; -benchtime 3x runs 9 rounds, and each
// size reports its median ("get-conns8-ops/s").
//
//	go test -run '^$' -bench BenchmarkConns -benchtime 3x ./bench/
func BenchmarkConns(b *testing.B) {
	reg := newRegistries()
	for _, name := range []string{"etcd", "raftkv", "memory"} {
		b.Run(name, func(b *testing.B) {
			e := reg.backends[name]
			spec := backend.Spec{Nodes: e.nodes, Mode: backend.ModeInProcess, Dir: b.TempDir(), Fsync: false}
			c, err := e.backend.Start(context.Background(), spec)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Stop(context.Background())
			br := c.(backend.Barer)
			l := load{Clients: 64, Keys: 10000, ValueSize: 128, Duration: time.Second, Rounds: 3}
			conns(b, l, []int{1, 2, 4, 8, 16, 64}, func(ctx context.Context, n int, s backend.BareSpec) (backend.BareResult, error) {
				s.Conns = n
				return br.Bare(ctx, s)
			})
		})
	}
}

// load shapes the bare loop of a conns measurement.
type load struct {
	Clients   int           // closed-loop clients (64)
	Keys      int           // uniform keys (10000)
	ValueSize int           // bytes (128)
	Duration  time.Duration // of one measurement
	Rounds    int           // alternating rounds (odd, >= 3)
}

// spec returns the bare spec of load for ops of kind: every client a
// script of 4096 uniformly drawn keys, seeded by its index.
func (l load) spec(kind backend.BareKind) backend.BareSpec {
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

// conns runs bare (the backend's loop with a fresh pool of n connections)
// for every pool size in sizes and for gets and puts, round after round,
// the order of the sizes reversed every other round, and reports each
// median throughput as "<op>-conns<n>-ops/s" (and logs the rounds). A
// measurement with a definite error fails the benchmark.
func conns(b *testing.B, l load, sizes []int, bare func(ctx context.Context, n int, spec backend.BareSpec) (backend.BareResult, error)) {
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
					res, err := bare(context.Background(), n, l.spec(kind))
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
