package tcp

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/transporttest"
)

// Echo is the test service.
type Echo struct {
	calls   atomic.Int64  // Echo and Wait executions
	block   chan struct{} // Wait blocks until it is closed
	release sync.Once

	mu    sync.Mutex
	order []int // args.N of each Echo execution, in arrival order
}

// EchoArgs are the arguments of Echo's methods.
type EchoArgs struct {
	N   int
	S   string
	Pad []byte
}

// EchoReply is the reply of Echo's methods.
type EchoReply struct {
	N   int
	S   string
	Pad []byte
}

// Echo returns its arguments, N incremented.
func (e *Echo) Echo(args *EchoArgs, reply *EchoReply) {
	e.calls.Add(1)
	e.mu.Lock()
	e.order = append(e.order, args.N)
	e.mu.Unlock()
	reply.N, reply.S, reply.Pad = args.N+1, args.S, args.Pad
}

// Grow replies with args.N bytes of padding.
func (e *Echo) Grow(args *EchoArgs, reply *EchoReply) {
	reply.Pad = make([]byte, args.N)
}

// Wait blocks until unblock, then echoes.
func (e *Echo) Wait(args *EchoArgs, reply *EchoReply) {
	e.calls.Add(1)
	<-e.block
	reply.N, reply.S = args.N+1, args.S
}

// unblock releases every present and future Wait.
func (e *Echo) unblock() { e.release.Do(func() { close(e.block) }) }

// arrivals returns a copy of the arrival order of Echo calls.
func (e *Echo) arrivals() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int(nil), e.order...)
}

func newEcho() *Echo { return &Echo{block: make(chan struct{})} }

// newEchoServer serves a new Echo on a free loopback port, until the test
// ends.
func newEchoServer(t testing.TB, cfg Config) (*Listener, *Echo) {
	t.Helper()
	e := newEcho()
	l := listenEcho(t, "127.0.0.1:0", e, cfg)
	return l, e
}

// listenEcho serves e on addr until the test ends.
func listenEcho(t testing.TB, addr string, e *Echo, cfg Config) *Listener {
	t.Helper()
	srv := transport.NewServer()
	if err := srv.Register(e); err != nil {
		t.Fatal(err)
	}
	l, err := Listen(addr, srv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.unblock()
		l.Close()
	})
	return l
}

// dial returns a client of addr closed when the test ends.
func dial(t testing.TB, addr string, cfg Config) *Client {
	c := Dial(addr, cfg)
	t.Cleanup(func() { c.Close() })
	return c
}

// keepCalling calls Echo.Echo on c until stop is closed, counting the
// calls that succeed in good. The function it returns waits for the loop
// to end and returns its first failure: an error, or a wrong reply.
func keepCalling(c *Client, stop <-chan struct{}, good *atomic.Int64) func() error {
	errc := make(chan error, 1)
	go func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				errc <- nil
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			var r EchoReply
			err := c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: n, S: "good"}, &r)
			cancel()
			if err == nil && (r.N != n+1 || r.S != "good") {
				err = fmt.Errorf("wrong reply %+v to %d", r, n)
			}
			if err != nil {
				errc <- err
				return
			}
			good.Add(1)
		}
	}()
	return func() error { return <-errc }
}

// waitFor polls cond until it holds, failing the test after 10s.
var waitFor = transporttest.WaitFor

// checkGoroutines fails the test if, once its cleanups have run, more
// goroutines are left than when it started. Call it first in a test, so
// that its cleanup runs last.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				var buf bytes.Buffer
				_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
				t.Errorf("goroutine leak: %d before, %d after:\n%s", before, runtime.NumGoroutine(), buf.String())
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// logBuffer is a concurrency-safe log sink for asserting logged reasons.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// count returns how many times s was logged.
func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
