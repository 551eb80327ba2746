package rsm

import (
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"faultline/internal/labcluster"
	"faultline/system/raft"
	"faultline/transport/wire"
)

// add is the test machine's command.
type add struct{ N int }

func init() { wire.Register(add{}) }

// counter is a StateMachine summing the adds it applies.
type counter struct {
	mu  sync.Mutex
	sum int
}

func (c *counter) Apply(_ int, cmd any) (any, error) {
	a, err := Command[add](cmd)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sum += a.N
	return c.sum, nil
}

func (c *counter) Snapshot() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return binary.AppendVarint(nil, int64(c.sum))
}

func (c *counter) Restore(b []byte) error {
	v, n := binary.Varint(b)
	if n <= 0 {
		return errors.New("bad counter snapshot")
	}
	c.mu.Lock()
	c.sum = int(v)
	c.mu.Unlock()
	return nil
}

// replica is an RSM of a counter, with an RPC method so that the lab
// harness can serve it.
type replica struct {
	*RSM
	c *counter
}

// Ping is the replica's RPC method (unused by the tests).
func (r *replica) Ping(_ *struct{}, _ *struct{}) {}

func newGroup(t *testing.T, cfg Config) *labcluster.Group {
	net := labcluster.NewNet(t, true)
	return labcluster.NewGroup(t, net.Network, "rsm", 3, func(ends []raft.Peer, me int, p raft.Persister) labcluster.Server {
		c := &counter{}
		return &replica{RSM: New(ends, me, p, c, cfg), c: c}
	})
}

// submitAsync runs r.Submit(cmd) in a goroutine; its error arrives on the
// channel returned.
func submitAsync(r *replica, cmd any) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := r.Submit(cmd)
		errc <- err
	}()
	return errc
}

func waitLeader(t *testing.T, g *labcluster.Group) *replica {
	t.Helper()
	labcluster.WaitFor(t, 10*time.Second, "a leader", func() bool { return g.Leader() >= 0 })
	return g.Server(g.Leader()).(*replica)
}

// TestSubmitReturnsItsOwnResult: each Submit gets Apply's result for its
// own entry, and every replica applies the same sums.
func TestSubmitReturnsItsOwnResult(t *testing.T) {
	g := newGroup(t, Config{})
	r := waitLeader(t, g)
	want := 0
	for i := 1; i <= 20; i++ {
		want += i
		v, err := r.Submit(add{N: i})
		if err != nil {
			t.Fatalf("Submit(%d): %v", i, err)
		}
		if v.(int) != want {
			t.Fatalf("Submit(%d) = %v, want %d", i, v, want)
		}
	}
	labcluster.WaitFor(t, 10*time.Second, "every replica to apply the sum", func() bool {
		for i := range g.N() {
			c := g.Server(i).(*replica).c
			c.mu.Lock()
			sum := c.sum
			c.mu.Unlock()
			if sum != want {
				return false
			}
		}
		return true
	})
	if err := r.ReadBarrier(); err != nil && !errors.Is(err, ErrNotReady) {
		t.Fatalf("ReadBarrier on the leader: %v", err)
	}
}

// TestLeadershipEventFailsWaiters: a Submit waiting on a leader cut off
// from the others fails with ErrWrongLeader as soon as that leader learns
// of a newer term, through Raft's leadership event, not by a timeout (the
// timeout here is far longer than the test).
func TestLeadershipEventFailsWaiters(t *testing.T) {
	g := newGroup(t, Config{ApplyTimeout: time.Hour})
	old := g.Leader()
	for old < 0 {
		waitLeader(t, g)
		old = g.Leader()
	}
	r := g.Server(old).(*replica)
	if _, err := r.Submit(add{N: 1}); err != nil {
		t.Fatalf("first Submit: %v", err)
	}
	g.Disconnect(old, g.Others(old))
	errc := submitAsync(r, add{N: 2})
	labcluster.WaitFor(t, 10*time.Second, "a new leader among the others", func() bool {
		l := g.Leader()
		return l >= 0 && l != old
	})
	g.ConnectAll()
	err := labcluster.Recv(t, 30*time.Second, "the error of the Submit on the deposed leader, after it rejoined,", errc)
	if !errors.Is(err, ErrWrongLeader) {
		t.Fatalf("Submit on the deposed leader: %v, want ErrWrongLeader", err)
	}
}
