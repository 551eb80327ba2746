package nodeproc

import (
	"context"
	"errors"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/tcp"
)

type echo struct{}

type EchoArgs struct{ X int }
type EchoReply struct{ X int }

func (echo) Echo(a *EchoArgs, r *EchoReply) { r.X = a.X }

// faultNode is a node with its own fault table, serving Echo and Faults.
type faultNode struct {
	name  string
	table *tcp.Faults
	ln    *tcp.Listener
}

func startFaultNode(t *testing.T, name string) *faultNode {
	n := &faultNode{name: name, table: tcp.NewFaults(1)}
	srv := transport.NewServer()
	if err := srv.RegisterName("Echo", echo{}); err != nil {
		t.Fatal(err)
	}
	if err := srv.RegisterName("Faults", &FaultService{Table: n.table}); err != nil {
		t.Fatal(err)
	}
	ln, err := tcp.Listen("127.0.0.1:0", srv, tcp.Config{Node: name})
	if err != nil {
		t.Fatal(err)
	}
	n.ln = ln
	t.Cleanup(func() { ln.Close() })
	return n
}

// dial returns n's client to peer, judged by n's table.
func (n *faultNode) dial(t *testing.T, peer *faultNode) *tcp.Client {
	c := tcp.DialNamed(peer.name, peer.ln.Addr(), tcp.Config{Node: n.name, Faults: n.table})
	t.Cleanup(func() { c.Close() })
	return c
}

// startFaultPair starts nodes a and b and a RemoteFaults over their
// Faults services.
func startFaultPair(t *testing.T) (a, b *faultNode, rf *RemoteFaults) {
	a, b = startFaultNode(t, "a"), startFaultNode(t, "b")
	admin := map[string]transport.ContextCaller{}
	for _, n := range []*faultNode{a, b} {
		c := tcp.Dial(n.ln.Addr(), tcp.Config{})
		t.Cleanup(func() { c.Close() })
		admin[n.name] = c
	}
	return a, b, NewRemoteFaults(admin)
}

func echoOK(c transport.ContextCaller) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var r EchoReply
	return c.CallContext(ctx, "Echo.Echo", &EchoArgs{X: 7}, &r)
}

func TestRemoteFaultsBlockBothDirectionsOfCalls(t *testing.T) {
	a, b, rf := startFaultPair(t)
	ab, ba := a.dial(t, b), b.dial(t, a)
	if err := echoOK(ab); err != nil {
		t.Fatalf("healthy a->b: %v", err)
	}
	// Block only a -> b: a's requests to b are lost, and so are a's
	// replies to b's requests.
	if err := rf.SetLink("a", "b", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if err := echoOK(ab); !errors.Is(err, transport.ErrUnreachable) && !errors.Is(err, transport.ErrTimeout) {
		t.Fatalf("a->b with the link blocked: %v", err)
	}
	if err := echoOK(ba); err == nil {
		t.Fatal("b's call to a got a reply over the blocked a->b link")
	}
	if got := rf.Link("a", "b"); !got.Blocked {
		t.Fatalf("Link = %+v", got)
	}
	rf.HealAll()
	if err := echoOK(ab); err != nil {
		t.Fatalf("a->b after heal: %v", err)
	}
	if err := echoOK(ba); err != nil {
		t.Fatalf("b->a after heal: %v", err)
	}
	// Bad faults are refused before anything is sent; unknown nodes are
	// an error.
	if err := rf.SetLink("a", "b", transport.LinkFaults{Drop: 2}); err == nil {
		t.Fatal("drop probability 2 accepted")
	}
	if err := rf.SetLink("a", "zz", transport.LinkFaults{Blocked: true}); err == nil {
		t.Fatal("unknown node accepted")
	}
}

// TestRemoteFaultsCarryEveryField checks that every field of LinkFaults
// reaches the nodes' tables through the FaultService (msgpack on the way),
// and that a remote connection reset takes effect on both nodes' clients.
func TestRemoteFaultsCarryEveryField(t *testing.T) {
	a, b, rf := startFaultPair(t)
	ab, ba := a.dial(t, b), b.dial(t, a)
	if err := rf.SupportsLink(transport.LinkFaults{Bandwidth: 1, Conn: transport.ConnSlowClose, Burst: 3, Drop: 0.1, Distribution: transport.DelayPareto}); err != nil {
		t.Errorf("SupportsLink: %v", err)
	}
	if err := rf.SupportsLink(transport.LinkFaults{Conn: "bogus"}); err == nil {
		t.Error("SupportsLink accepted an unknown connection fault")
	}
	full := transport.LinkFaults{
		Delay: 3 * time.Millisecond, Jitter: time.Millisecond, Distribution: transport.DelayNormal,
		Drop: 0.25, Burst: 4.5, Duplicate: 0.125, Reorder: 0.5, ReorderDelay: 7 * time.Millisecond,
		Bandwidth: 123456, Blocked: true, Conn: transport.ConnSlowClose, SlowClose: 1500 * time.Millisecond,
	}
	if err := rf.SetLink("a", "b", full); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*faultNode{a, b} {
		if got := n.table.Link("a", "b"); got != full {
			t.Errorf("node %s's table has %+v, want %+v", n.name, got, full)
		}
	}
	rf.HealAll()
	if err := echoOK(ab); err != nil {
		t.Fatalf("a->b healthy: %v", err)
	}
	if err := echoOK(ba); err != nil {
		t.Fatalf("b->a healthy: %v", err)
	}
	// A reset of a -> b fails both nodes' calls at once: a's client
	// carries a's requests, b's client a's replies.
	if err := rf.SetLink("a", "b", transport.LinkFaults{Conn: transport.ConnReset}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*tcp.Client{"a->b": ab, "b->a": ba} {
		t0 := time.Now()
		if err := echoOK(c); !errors.Is(err, transport.ErrUnreachable) {
			t.Errorf("%s under reset: %v, want ErrUnreachable", name, err)
		} else if d := time.Since(t0); d > 500*time.Millisecond {
			t.Errorf("%s under reset failed after %v, want at once", name, d)
		}
	}
	rf.HealAll()
	if err := echoOK(ab); err != nil {
		t.Errorf("a->b after the reset: %v", err)
	}
	if err := echoOK(ba); err != nil {
		t.Errorf("b->a after the reset: %v", err)
	}
}
