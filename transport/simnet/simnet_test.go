package simnet

import (
	"context"
	"errors"
	"flag"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/transporttest"
)

var seedFlag = flag.Int64("seed", 0, "seed for the simulated network (0: derived from the clock)")

// newNet makes a network with a logged seed and cleans it up with the test.
func newNet(t testing.TB) *Network {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	n := MakeNetwork(seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("simnet seed %d (replay with -seed=%d)", seed, seed)
		}
		n.Cleanup()
	})
	return n
}

// JunkArgs and JunkReply are the test service's messages.
type JunkArgs struct {
	X int
	S string
}

type JunkReply struct {
	X int
	S string
}

// junk is the test service, in the spirit of labrpc's own test server.
type junk struct {
	calls   atomic.Int64
	release chan struct{} // Block waits on it
}

func (j *junk) Double(args *JunkArgs, reply *JunkReply) {
	j.calls.Add(1)
	reply.X = args.X * 2
	reply.S = args.S + args.S
}

func (j *junk) Block(args *JunkArgs, reply *JunkReply) {
	j.calls.Add(1)
	<-j.release
	reply.X = args.X
}

func newJunkServer(t testing.TB) (*junk, *transport.Server) {
	t.Helper()
	j := &junk{release: make(chan struct{})}
	srv := transport.NewServer()
	if err := srv.RegisterName("Junk", j); err != nil {
		t.Fatal(err)
	}
	return j, srv
}

// connect makes an enabled end connected to servername.
func connect(n *Network, endname, servername string) *ClientEnd {
	e := n.MakeEnd(endname)
	n.Connect(endname, servername)
	n.Enable(endname, true)
	return e
}

// junkNet returns a network with a Junk server "s1" and an enabled end
// "e1" connected to it.
func junkNet(t testing.TB) (*Network, *junk, *ClientEnd) {
	t.Helper()
	n := newNet(t)
	j, srv := newJunkServer(t)
	n.AddServer("s1", srv)
	return n, j, connect(n, "e1", "s1")
}

// callBlocked starts a call of Junk.Block on e and returns the channel of
// its result once its handler runs (j counts it).
func callBlocked(t testing.TB, e *ClientEnd, j *junk) <-chan error {
	t.Helper()
	before := j.calls.Load()
	errc := make(chan error, 1)
	go func() {
		var reply JunkReply
		errc <- e.CallContext(context.Background(), "Junk.Block", &JunkArgs{X: 1}, &reply)
	}()
	waitFor(t, "handler to start", func() bool { return j.calls.Load() == before+1 })
	return errc
}

// wantCallError waits up to 5 s for the next error of errc (a call's
// result) and checks that it is want; what names the call in messages.
func wantCallError(t *testing.T, errc <-chan error, want error, what string) {
	t.Helper()
	select {
	case err := <-errc:
		if !errors.Is(err, want) {
			t.Errorf("%s = %v, want %v", what, err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not return within 5s", what)
	}
}

func TestBasic(t *testing.T) {
	n, j, e := junkNet(t)

	var reply JunkReply
	if !e.Call("Junk.Double", &JunkArgs{X: 21, S: "ab"}, &reply) {
		t.Fatal("Call failed on a reliable, connected network")
	}
	if reply.X != 42 || reply.S != "abab" {
		t.Fatalf("reply = %+v, want {42 abab}", reply)
	}
	if got := n.GetCount("s1"); got != 1 {
		t.Errorf("GetCount = %d, want 1", got)
	}
	if got := j.calls.Load(); got != 1 {
		t.Errorf("handler ran %d times, want 1", got)
	}
	if got := n.GetTotalCount(); got != 1 {
		t.Errorf("GetTotalCount = %d, want 1", got)
	}
	if got := n.GetTotalBytes(); got <= 0 {
		t.Errorf("GetTotalBytes = %d, want > 0", got)
	}
}

func TestDisabledEndFails(t *testing.T) {
	n := newNet(t)
	j, srv := newJunkServer(t)
	n.AddServer("s1", srv)
	e := n.MakeEnd("e1")
	n.Connect("e1", "s1")

	var reply JunkReply
	start := time.Now()
	if e.Call("Junk.Double", &JunkArgs{X: 1}, &reply) {
		t.Fatal("Call through a disabled end succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("failing call took %v, want a short delay", d)
	}
	err := e.CallContext(context.Background(), "Junk.Double", &JunkArgs{X: 1}, &reply)
	if !errors.Is(err, transport.ErrUnreachable) {
		t.Errorf("CallContext = %v, want ErrUnreachable", err)
	}
	if j.calls.Load() != 0 || n.GetCount("s1") != 0 {
		t.Errorf("disabled end delivered a call: handler %d, count %d", j.calls.Load(), n.GetCount("s1"))
	}
	n.Enable("e1", true)
	if !e.Call("Junk.Double", &JunkArgs{X: 1}, &reply) {
		t.Fatal("Call failed after Enable")
	}
}

func TestDeleteServerFailsInFlight(t *testing.T) {
	n, j, e := junkNet(t)

	errc := callBlocked(t, e, j)
	n.DeleteServer("s1")
	wantCallError(t, errc, transport.ErrUnreachable, "in-flight call to a deleted server")
	close(j.release)
	var reply JunkReply
	if e.Call("Junk.Double", &JunkArgs{X: 1}, &reply) {
		t.Fatal("Call to a deleted server succeeded")
	}
}

// TestReplacedServerReplyNotDelivered checks labrpc's rule: a reply produced
// by a server that was replaced while the call ran must not reach the caller,
// even though the handler finishes after the replacement.
func TestReplacedServerReplyNotDelivered(t *testing.T) {
	n := newNet(t)
	j1, srv1 := newJunkServer(t)
	n.AddServer("s1", srv1)
	e := connect(n, "e1", "s1")

	errc := callBlocked(t, e, j1)
	j2, srv2 := newJunkServer(t)
	n.AddServer("s1", srv2)
	close(j1.release) // the old handler now returns a reply
	if err := <-errc; !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("call to a replaced server = %v, want ErrUnreachable", err)
	}
	if got := n.GetCount("s1"); got != 0 {
		t.Errorf("GetCount of the new server = %d, want 0", got)
	}
	var reply JunkReply
	if !e.Call("Junk.Double", &JunkArgs{X: 3}, &reply) || reply.X != 6 {
		t.Fatalf("Call to the new server: reply %+v", reply)
	}
	if j2.calls.Load() != 1 || j1.calls.Load() != 1 {
		t.Errorf("handler calls: old %d new %d, want 1 and 1", j1.calls.Load(), j2.calls.Load())
	}
}

// waitFor polls cond until it holds, failing the test after 10s.
var waitFor = transporttest.WaitFor
