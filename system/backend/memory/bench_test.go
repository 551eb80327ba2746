package memory

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkLoopback64Clients measures the memory backend over loopback TCP
// with 64 concurrent clients, each with its own connection, half Gets and
// half Puts of 100-byte values on 1000 keys: the ceiling a replicated
// backend is compared with.
func BenchmarkLoopback64Clients(b *testing.B) {
	n, err := StartNode(NodeConfig{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Stop()
	value := string(make([]byte, 100))
	var ids atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0))) // RunParallel multiplies by GOMAXPROCS
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := ids.Add(1)
		c := NewClient("n1", n.Addr(), nil)
		defer c.Close()
		ctx := context.Background()
		i := 0
		for pb.Next() {
			key := "k" + strconv.Itoa(int((id*7919+int64(i))%1000))
			if i%2 == 0 {
				if _, err := c.Get(ctx, key); err != nil {
					b.Error(err)
					return
				}
			} else if err := c.Put(ctx, key, value); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
