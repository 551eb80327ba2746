package tcp

import (
	"context"
	"errors"
	"testing"
	"time"

	"faultline/transport"
)

// Echo is the test service.
type Echo struct {
	block chan struct{} // Wait blocks until it is closed
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
	reply.N, reply.S, reply.Pad = args.N+1, args.S, args.Pad
}

// Wait blocks until e.block is closed, then echoes.
func (e *Echo) Wait(args *EchoArgs, reply *EchoReply) {
	<-e.block
	e.Echo(args, reply)
}

func newEchoServer(t testing.TB, cfg Config) (*Listener, *Echo) {
	t.Helper()
	srv := transport.NewServer()
	e := &Echo{block: make(chan struct{})}
	if err := srv.Register(e); err != nil {
		t.Fatal(err)
	}
	l, err := Listen("127.0.0.1:0", srv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		close(e.block)
		l.Close()
		l.handlers.Wait()
	})
	return l, e
}

func TestRoundTrip(t *testing.T) {
	l, _ := newEchoServer(t, Config{})
	c := Dial(l.Addr(), Config{})
	defer c.Close()
	var r EchoReply
	if !c.Call("Echo.Echo", &EchoArgs{N: 41, S: "hi"}, &r) {
		t.Fatal("Call failed")
	}
	if r.N != 42 || r.S != "hi" {
		t.Fatalf("reply = %+v", r)
	}
	err := c.CallContext(context.Background(), "Echo.Nope", &EchoArgs{}, &r)
	if !transport.IsRemote(err) {
		t.Fatalf("unknown method: err = %v, want remote error", err)
	}
	if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: 1}, &r); err != nil || r.N != 2 {
		t.Fatalf("after remote error: err = %v, reply %+v", err, r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.CallContext(ctx, "Echo.Wait", &EchoArgs{}, &r)
	if !errors.Is(err, transport.ErrTimeout) {
		t.Fatalf("Wait: err = %v, want timeout", err)
	}
}
