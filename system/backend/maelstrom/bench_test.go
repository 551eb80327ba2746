package maelstrom

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/system/maelstrom"
)

// The Go echo example node (system/maelstrom/examples/go/echo), built
// once per test binary into echoDir (removed by TestMain).
var (
	echoOnce sync.Once
	echoDir  string
	echoErr  error
)

// echoNode returns a Config of one node running the Go echo example node.
func echoNode(b *testing.B) Config {
	b.Helper()
	echoOnce.Do(func() {
		if echoDir, echoErr = os.MkdirTemp("", "maelstrom-echo-"); echoErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", echoDir+"/", "../../maelstrom/examples/go/echo").CombinedOutput()
		if err != nil {
			echoErr = fmt.Errorf("build the echo example node: %w\n%s", err, out)
		}
	})
	if echoErr != nil {
		b.Fatal(echoErr)
	}
	return Config{Dir: b.TempDir(), Nodes: 1, Bin: filepath.Join(echoDir, "echo"),
		InitTimeout: 20 * time.Second, StopGrace: 5 * time.Second, Network: maelstrom.RouterConfig{Seed: 1}}
}

// echoClient is the benchmark's client c1: it records when each reply
// arrives, by the msg_id it answers, and frees a slot of the window.
type echoClient struct {
	start  time.Time
	sentAt []atomic.Int64 // ns since start, by msg_id; 0 before the send
	rtt    []time.Duration
	window chan struct{}
	got    atomic.Int64
	done   chan struct{}
}

func (e *echoClient) ID() string { return "c1" }

func (e *echoClient) Deliver(m maelstrom.Message) bool {
	if h, err := maelstrom.ParseHeader(m.Body); err == nil && h.InReplyTo != nil && e.rtt != nil {
		i := *h.InReplyTo
		e.rtt[i] = time.Since(e.start) - time.Duration(e.sentAt[i].Load())
	}
	if e.window != nil {
		<-e.window
	}
	if e.got.Add(1) == int64(cap(e.sentAt)) {
		close(e.done)
	}
	return true
}

// startEcho starts the echo node with c1 attached for n requests.
func startEcho(b *testing.B, n int) (*Cluster, *echoClient) {
	c, err := Start(b.Context(), echoNode(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Stop(b.Context()) })
	ep := &echoClient{start: time.Now(), sentAt: make([]atomic.Int64, n), done: make(chan struct{})}
	if err := c.Network().Attach(ep); err != nil {
		b.Fatal(err)
	}
	return c, ep
}

func echoRequest(i int) maelstrom.Message {
	return maelstrom.Message{Src: "c1", Dest: "n0",
		Body: []byte(`{"type":"echo","msg_id":` + strconv.Itoa(i) + `,"echo":"Please echo 35"}`)}
}

// checkClean fails the benchmark if the node dropped or garbled anything.
func checkClean(b *testing.B, c *Cluster) {
	if st := c.Node("n0").Stats(); st.DroppedFull > 0 || st.Problems > 0 {
		b.Fatalf("stats %+v", st)
	}
}

// BenchmarkNodeEcho measures the whole path through one node process,
// the Go echo example node (issue 19, item 8): echo requests routed to
// its stdin queue and writer, its replies through its stdout reader and
// decoder and routed back.
//
//   - throughput: up to 256 requests in flight; msgs/s counts requests
//     and replies (goal >= 100k msgs/s).
//   - latency-10k: requests at a steady 5k/s, so 10k msgs/s through the
//     router and the pipes counting both ways; the round trip of each,
//     from Send to the reply's Deliver, in p50/p99/max microseconds. It
//     includes the node's own time, so it bounds the latency the harness
//     adds (goal p99 <= 1 ms).
//
// go test -run XXX -bench BenchmarkNodeEcho -count 3 ./system/backend/maelstrom
func BenchmarkNodeEcho(b *testing.B) {
	b.Run("throughput", benchEchoThroughput)
	b.Run("latency-10k", benchEchoLatency)
}

func benchEchoThroughput(b *testing.B) {
	c, ep := startEcho(b, b.N)
	ep.window = make(chan struct{}, 256)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		ep.window <- struct{}{}
		c.Network().Send(echoRequest(i))
	}
	<-ep.done
	b.ReportMetric(float64(2*b.N)/time.Since(start).Seconds(), "msgs/s")
	checkClean(b, c)
}

func benchEchoLatency(b *testing.B) {
	const rate = 5_000 // requests/s: 10k msgs/s with the replies
	n := b.N
	c, ep := startEcho(b, n)
	ep.rtt = make([]time.Duration, n)
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		due := time.Duration(i) * time.Second / rate
		if wait := due - time.Since(start); wait > 0 {
			time.Sleep(wait)
		}
		ep.sentAt[i].Store(int64(time.Since(ep.start)))
		c.Network().Send(echoRequest(i))
	}
	<-ep.done
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(ep.rtt)
	q := func(p float64) float64 { return float64(ep.rtt[int(p*float64(n-1))]) / 1e3 }
	b.ReportMetric(q(0.5), "p50-us")
	b.ReportMetric(q(0.99), "p99-us")
	b.ReportMetric(float64(ep.rtt[n-1])/1e3, "max-us")
	b.ReportMetric(float64(2*n)/elapsed.Seconds(), "msgs/s")
	checkClean(b, c)
}
