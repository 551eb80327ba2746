package memory

import (
	"context"
	"testing"
	"time"

	"faultline/internal/barebench"
	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

// BenchmarkConns chooses DefaultConns: the in-process node, 64
// closed-loop clients calling Get, then Put, on 10k uniform keys of 128 B,
// sharing pools of 1 to 64 tcp connections;
// 1 s per measurement, the sizes alternating in order from round to
// round; -benchtime 3x runs 9 rounds, and each size reports its median
// (see barebench.Conns).
//
//	go test -run '^$' -bench BenchmarkConns -benchtime 3x ./system/backend/memory/
func BenchmarkConns(b *testing.B) {
	spec := backend.Spec{Nodes: 1, Mode: backend.ModeInProcess, Dir: b.TempDir(), Fsync: false}
	bc, err := Backend{}.Start(context.Background(), spec)
	if err != nil {
		b.Fatal(err)
	}
	defer bc.Stop(context.Background())
	c := bc.(*Cluster)
	load := barebench.Load{Clients: 64, Keys: 10000, ValueSize: 128, Duration: time.Second, Rounds: 3}
	barebench.Conns(b, load, []int{1, 2, 4, 8, 16, 64}, func(ctx context.Context, n int, s backend.BareSpec) (backend.BareResult, error) {
		pool := nodeproc.NewCallerPool(n, clientConfig(c.secret))
		defer pool.Close()
		return c.bare(ctx, s, pool)
	})
}
