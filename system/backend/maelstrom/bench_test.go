package maelstrom

import (
	"strconv"
	"testing"
	"time"

	"faultline/system/maelstrom"
)

// countingEndpoint frees a slot of a window for every message delivered
// to it.
type countingEndpoint struct {
	id     string
	window chan struct{}
}

func (e *countingEndpoint) ID() string { return e.id }

func (e *countingEndpoint) Deliver(maelstrom.Message) bool {
	<-e.window
	return true
}

// BenchmarkNodeEcho measures one node process's pipes behind the router:
// echo requests routed to its stdin queue and writer, replies through its
// reader and decoder and routed back, with up to 256 in flight. msgs/s
// counts both directions.
func BenchmarkNodeEcho(b *testing.B) {
	c, err := Start(b.Context(), testConfig(b, "good", 1))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Stop(b.Context())
	ep := &countingEndpoint{id: "c1", window: make(chan struct{}, 256)}
	net := c.Network()
	if err := net.Attach(ep); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		ep.window <- struct{}{}
		net.Send(maelstrom.Message{Src: "c1", Dest: "n0",
			Body: []byte(`{"type":"echo","msg_id":` + strconv.Itoa(i) + `,"echo":"hello"}`)})
	}
	for range cap(ep.window) {
		ep.window <- struct{}{}
	}
	b.ReportMetric(float64(2*b.N)/time.Since(start).Seconds(), "msgs/s")
	if st := c.Node("n0").Stats(); st.DroppedFull > 0 || st.Problems > 0 {
		b.Fatalf("stats %+v", st)
	}
}
