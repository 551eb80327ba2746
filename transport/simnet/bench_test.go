package simnet

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkCall measures one call at a time over a reliable, healthy
// network: encode, deliver, run the handler, encode and decode the reply.
func BenchmarkCall(b *testing.B) {
	n := MakeNetwork(1)
	defer n.Cleanup()
	_, srv := newJunkServer(b)
	n.AddServer("s1", srv)
	e := connect(n, "e1", "s1")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var reply JunkReply
		if !e.Call("Junk.Double", &JunkArgs{X: i, S: "x"}, &reply) {
			b.Fatal("call failed")
		}
	}
}

// BenchmarkCallParallel measures GOMAXPROCS goroutines calling through
// their own ends into one server, with a link-fault table in place.
func BenchmarkCallParallel(b *testing.B) {
	n := MakeNetwork(1)
	defer n.Cleanup()
	_, srv := newJunkServer(b)
	n.AddServer("s1", srv)
	var ends atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		e := n.Dial(fmt.Sprint("e", ends.Add(1)), "c", "s1")
		i := 0
		for pb.Next() {
			var reply JunkReply
			if !e.Call("Junk.Double", &JunkArgs{X: i, S: "x"}, &reply) {
				b.Error("call failed")
				return
			}
			i++
		}
	})
}
