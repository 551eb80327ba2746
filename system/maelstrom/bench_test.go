package maelstrom

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRouter measures the router alone, between in-process endpoints
// (issue 19, item 8):
//
//   - throughput: pingers n0..n3 keep 64 echo requests each in flight to
//     echo nodes n4..n7 (healthy links, no latency), one new request per
//     reply; msgs/s counts every message delivered, requests and replies
//     (goal >= 100k msgs/s).
//   - throughput-netlog: the same with every send and delivery logged
//     (Maelstrom's --log-net-send and --log-net-recv) to io.Discard: the
//     cost of the message log when on (throughput stays the figure with
//     it off).
//   - latency-10k: one sender sends echo-sized messages at a steady 10k
//     msgs/s; the added latency of each is the time from Send to Deliver
//     (goal p99 <= 1 ms).
//
// go test -run XXX -bench BenchmarkRouter -count 3 ./system/maelstrom
func BenchmarkRouter(b *testing.B) {
	b.Run("throughput", func(b *testing.B) { benchThroughput(b, RouterConfig{}) })
	b.Run("throughput-netlog", func(b *testing.B) {
		benchThroughput(b, RouterConfig{LogSend: true, LogRecv: true, NetLog: io.Discard})
	})
	b.Run("latency-10k", benchLatency)
}

// benchEcho answers every message with a fixed echo_ok body.
type benchEcho struct {
	id  string
	out Sender
}

var benchReply = json.RawMessage(`{"type":"echo_ok","in_reply_to":1,"echo":"Please echo 35"}`)

func (e *benchEcho) ID() string { return e.id }

func (e *benchEcho) Deliver(m Message) bool {
	e.out.Send(Message{Src: e.id, Dest: m.Src, Body: benchReply})
	return true
}

// pinger sends a new request to peer for every reply while the budget
// lasts.
type pinger struct {
	id, peer  string
	out       Sender
	budget    *atomic.Int64 // requests left to send
	delivered *atomic.Int64 // messages delivered, to either side
	target    int64
	done      chan struct{}
}

var benchRequest = json.RawMessage(`{"type":"echo","msg_id":1,"echo":"Please echo 35"}`)

func (p *pinger) ID() string { return p.id }

func (p *pinger) Deliver(Message) bool {
	if p.delivered.Add(2) == p.target { // the request and its reply
		close(p.done)
	}
	p.send()
	return true
}

func (p *pinger) send() {
	if p.budget.Add(-1) >= 0 {
		p.out.Send(Message{Src: p.id, Dest: p.peer, Body: benchRequest})
	}
}

func benchThroughput(b *testing.B, cfg RouterConfig) {
	const pairs, window = 4, 64
	r := NewRouter(cfg)
	defer r.Close()
	requests := max(int64(b.N)/2, pairs*window)
	var budget, delivered atomic.Int64
	budget.Store(requests)
	done := make(chan struct{})
	ps := make([]*pinger, pairs)
	for i := range pairs {
		ps[i] = &pinger{id: "n" + strconv.Itoa(i), peer: "n" + strconv.Itoa(pairs+i), out: r,
			budget: &budget, delivered: &delivered, target: 2 * requests, done: done}
		if err := r.Attach(ps[i]); err != nil {
			b.Fatal(err)
		}
		if err := r.Attach(&benchEcho{id: ps[i].peer, out: r}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range window {
		for _, p := range ps {
			p.send()
		}
	}
	<-done
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(2*requests)/elapsed.Seconds(), "msgs/s")
	if cfg.LogSend || cfg.LogRecv {
		// Each message is logged once sent and once delivered.
		b.ReportMetric(float64(r.NetLogDropped())/float64(4*requests), "log-lines-dropped/line")
	}
}

// stamped sink: receives the latency run's messages in send order.
type latencySink struct {
	sentAt []atomic.Int64 // ns since start, by message number
	lat    []time.Duration
	start  time.Time
	got    atomic.Int64
	done   chan struct{}
}

func (s *latencySink) ID() string { return "n1" }

func (s *latencySink) Deliver(Message) bool {
	now := int64(time.Since(s.start))
	i := s.got.Load()
	s.lat[i] = time.Duration(now - s.sentAt[i].Load())
	if s.got.Add(1) == int64(len(s.lat)) {
		close(s.done)
	}
	return true
}

func benchLatency(b *testing.B) {
	const rate = 10_000
	r := NewRouter(RouterConfig{})
	defer r.Close()
	n := b.N
	s := &latencySink{sentAt: make([]atomic.Int64, n), lat: make([]time.Duration, n), start: time.Now(), done: make(chan struct{})}
	if err := r.Attach(s); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range n {
		due := time.Duration(i) * time.Second / rate
		if wait := due - time.Since(s.start); wait > 0 {
			time.Sleep(wait)
		}
		s.sentAt[i].Store(int64(time.Since(s.start)))
		r.Send(Message{Src: "n0", Dest: "n1", Body: benchRequest})
	}
	<-s.done
	elapsed := time.Since(s.start)
	b.StopTimer()
	slices.Sort(s.lat)
	q := func(p float64) float64 { return float64(s.lat[int(p*float64(n-1))]) / 1e3 }
	b.ReportMetric(q(0.5), "p50-us")
	b.ReportMetric(q(0.99), "p99-us")
	b.ReportMetric(float64(s.lat[n-1])/1e3, "max-us")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
	if testing.Verbose() {
		fmt.Printf("latency-10k: %d messages, p99 %.0fus\n", n, q(0.99))
	}
}
