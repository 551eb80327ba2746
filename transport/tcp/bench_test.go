package tcp

import (
	"context"
	"net"
	"net/rpc"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
)

// The benchmarks compare this transport with Go's net/rpc (gob encoding,
// one connection per client) on loopback: sequential round trips and 64
// concurrent callers sharing one client. Run them with
//
//	go test -run XXX -bench . -benchtime 2s -count 5 ./transport/tcp/
//
// Besides ns/op (wall time, which a busy machine inflates) each benchmark
// reports cpu-ns/op, the CPU time the process (client and server together)
// spent per call.

// benchCallers is the number of concurrent callers in the Parallel
// benchmarks.
const benchCallers = 64

var benchArgs = EchoArgs{N: 7, S: "AppendEntries"}

func BenchmarkTCPSequential(b *testing.B) { runSequential(b, tcpCall(newBenchTCP(b))) }

func BenchmarkTCPParallel64(b *testing.B) { runParallel(b, tcpCall(newBenchTCP(b))) }

// BenchmarkTCPParallel64TLS is BenchmarkTCPParallel64 over mutual TLS.
func BenchmarkTCPParallel64TLS(b *testing.B) {
	runParallel(b, tcpCall(newBenchTCPConfig(b, Config{Secret: testSecret, TLS: true})))
}

// BenchmarkHandshake measures one connection's setup as a client sees it:
// dial, and authenticate with each mode, then close.
func BenchmarkHandshake(b *testing.B) {
	for _, m := range []struct {
		name string
		cfg  Config
	}{
		{"none", Config{}},
		{"hmac", Config{Secret: testSecret}},
		{"tls", Config{Secret: testSecret, TLS: true}},
	} {
		b.Run(m.name, func(b *testing.B) {
			l, _ := newEchoServer(b, m.cfg)
			c := Dial(l.Addr(), m.cfg)
			b.Cleanup(func() { c.Close() })
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				nc, err := c.dial(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				nc.Close()
			}
		})
	}
}

func BenchmarkNetRPCSequential(b *testing.B) { runSequential(b, netRPCCall(newBenchNetRPC(b))) }

func BenchmarkNetRPCParallel64(b *testing.B) { runParallel(b, netRPCCall(newBenchNetRPC(b))) }

// tcpCall returns a call of c.Call("Echo.Echo", &benchArgs, reply),
// keeping the error for the failure message.
func tcpCall(c *Client) func() error {
	return func() error {
		var r EchoReply
		return c.call(context.Background(), true, "Echo.Echo", &benchArgs, &r)
	}
}

// netRPCCall returns a call of RPCEcho.Echo on the net/rpc client c.
func netRPCCall(c *rpc.Client) func() error {
	return func() error {
		var r EchoReply
		return c.Call("RPCEcho.Echo", &benchArgs, &r)
	}
}

// runSequential runs call in a loop on the benchmark's goroutine, counting
// allocations and CPU time.
func runSequential(b *testing.B, call func() error) {
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
}

// runParallel runs call from benchCallers goroutines, counting allocations
// and CPU time.
func runParallel(b *testing.B, call func() error) {
	b.ReportAllocs()
	b.SetParallelism(max(1, benchCallers/runtime.GOMAXPROCS(0)))
	defer reportCPU(b)()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// reportCPU starts measuring the process's CPU time; the function it
// returns reports it per call as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 && start > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// newBenchTCP returns a client of a new Echo server, both authenticating
// with the HMAC handshake, as a cluster does.
func newBenchTCP(b *testing.B) *Client {
	return newBenchTCPConfig(b, Config{Secret: testSecret})
}

func newBenchTCPConfig(b *testing.B, cfg Config) *Client {
	srv := transport.NewServer()
	if err := transport.RegisterFunc(srv, "Echo.Echo", BenchEcho{}.Echo); err != nil {
		b.Fatal(err)
	}
	if err := srv.Register(ReflectEcho{}); err != nil {
		b.Fatal(err)
	}
	l, err := Listen("127.0.0.1:0", srv, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	c := Dial(l.Addr(), cfg)
	b.Cleanup(func() { c.Close() })
	var r EchoReply
	if !c.Call("Echo.Echo", &benchArgs, &r) {
		b.Fatal("warm-up call failed")
	}
	return c
}

// BenchEcho is the benchmarks' echo service: Echo's reply without its
// bookkeeping (a call count, a mutex and an ever-growing arrival log, which
// cost our transport's server about 5% of its CPU in
// BenchmarkTCPParallel64), so that every contender's handler does the same
// work.
type BenchEcho struct{}

// Echo returns its arguments, N incremented.
func (BenchEcho) Echo(args *EchoArgs, reply *EchoReply) {
	reply.N, reply.S, reply.Pad = args.N+1, args.S, args.Pad
}

// reflectArgs and reflectReply are EchoArgs and EchoReply without their
// hand-written codec: they travel by reflection, as a message type that
// has none does.
type (
	reflectArgs  EchoArgs
	reflectReply EchoReply
)

// ReflectEcho is BenchEcho over reflectArgs and reflectReply.
type ReflectEcho struct{}

// Echo returns its arguments, N incremented.
func (ReflectEcho) Echo(args *reflectArgs, reply *reflectReply) {
	reply.N, reply.S, reply.Pad = args.N+1, args.S, args.Pad
}

// tcpReflectCall returns a call of ReflectEcho.Echo on c.
func tcpReflectCall(c *Client) func() error {
	args := reflectArgs(benchArgs)
	return func() error {
		var r reflectReply
		return c.call(context.Background(), true, "ReflectEcho.Echo", &args, &r)
	}
}

// RPCEcho is the net/rpc twin of BenchEcho.
type RPCEcho struct{}

// Echo returns its arguments, N incremented.
func (RPCEcho) Echo(args *EchoArgs, reply *EchoReply) error {
	BenchEcho{}.Echo(args, reply)
	return nil
}

func newBenchNetRPC(b *testing.B) *rpc.Client {
	srv := rpc.NewServer()
	if err := srv.Register(RPCEcho{}); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // ln closed
			}
			go srv.ServeConn(conn)
		}
	}()
	c, err := rpc.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		c.Close()
		ln.Close()
		<-done
	})
	return c
}

// BenchmarkRatioParallel64 runs the Parallel64 workload of three
// contenders, ours (HMAC handshake, msgpack), grpc-go (unary calls,
// protobuf, the same handshake as transport credentials, over one
// ClientConn and over a pool of two; see bench_grpc_test.go) and net/rpc
// (gob), in alternating slices of a few thousand calls, so that all see
// the same machine load. Ours carries EchoArgs, whose codec is
// hand-written (wire.Appender and wire.Decoder), to a handler registered
// with transport.RegisterFunc, as grpc's protobuf code and handlers are
// generated; as a fourth contender (tcp-reflect) it carries the same
// fields in a type without a codec to a method found by Register, both
// by reflection, as net/rpc's gob and dispatch are. It
// reports each one's calls per second, ours over net/rpc (x-netrpc), over
// the faster grpc-go pool (x-grpc), and ours by reflection over net/rpc
// (x-netrpc-reflect). b.N counts calls of each contender. Run it with
//
//	go test -run XXX -bench Ratio -benchtime 200000x -count 4 ./transport/tcp/
func BenchmarkRatioParallel64(b *testing.B) {
	cs := []contender{
		{name: "tcp", call: tcpCall(newBenchTCP(b))},
		{name: "netrpc", call: netRPCCall(newBenchNetRPC(b))},
		{name: "tcp-reflect", call: tcpReflectCall(newBenchTCP(b))},
	}
	for _, n := range grpcRatioPools {
		cs = append(cs, contender{name: "grpc-conns" + strconv.Itoa(n), call: newBenchGRPC(b, newHMACCreds(testSecret), n)})
	}
	if !alternate(b, cs) {
		return
	}
	grpcBest := cs[3].took
	for _, c := range cs[4:] {
		grpcBest = min(grpcBest, c.took)
	}
	b.ReportMetric(grpcBest.Seconds()/cs[0].took.Seconds(), "x-grpc")
	b.ReportMetric(cs[1].took.Seconds()/cs[0].took.Seconds(), "x-netrpc")
	b.ReportMetric(cs[1].took.Seconds()/cs[2].took.Seconds(), "x-netrpc-reflect")
}

// contender is one workload of an alternating benchmark.
type contender struct {
	name string // its metric is name-calls/s
	call func() error
	took time.Duration // its share of the run
}

// alternate makes b.N calls of each contender from benchCallers
// goroutines, in alternating slices of a few thousand calls so that all
// see the same machine load, and reports each one's calls per second. It
// returns false when some contender took no measurable time.
func alternate(b *testing.B, cs []contender) bool {
	const slice = 4096
	b.ResetTimer()
	for done := 0; done < b.N; done += slice {
		n := min(slice, b.N-done)
		for i := range cs {
			cs[i].took += fanOut(b, n, cs[i].call)
		}
	}
	b.StopTimer()
	for _, c := range cs {
		if c.took <= 0 {
			return false
		}
	}
	for _, c := range cs {
		b.ReportMetric(float64(b.N)/c.took.Seconds(), c.name+"-calls/s")
	}
	return true
}

// fanOut makes n calls from benchCallers goroutines and returns the time
// they took.
func fanOut(b *testing.B, n int, call func() error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range benchCallers {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := call(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}
