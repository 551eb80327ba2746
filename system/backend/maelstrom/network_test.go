package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/maelstrom"
	"faultline/transport"
)

// These tests run real node processes through the real router.

// TestLinkDelay: a delay on the link n0 -> n1 holds n0's messages to n1
// back at least that long, and the journal shows it; the other direction
// is not delayed.
func TestLinkDelay(t *testing.T) {
	const delay = 300 * time.Millisecond
	cfg := testConfig(t, "good", 2)
	cfg.Network.JournalWindow = 10 * time.Minute
	c := startTest(t, cfg)
	s := newSink(t, c, "watch")
	if err := c.Faults().SetLink("n0", "n1", transport.LinkFaults{Delay: delay}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.relay(c, "n0", "n1", "slow")
	if m := s.next(t); !strings.Contains(string(m.Body), "slow") {
		t.Fatalf("got %+v", m)
	} else if took := time.Since(start); took < delay {
		t.Fatalf("n0 -> n1 -> watch took %v, under the link's delay %v", took, delay)
	}
	s.relay(c, "n1", "n0", "fast")
	s.next(t)
	var slow, fast int
	for _, e := range c.Network().Journal() {
		if e.Type != "note" || e.Delivered.IsZero() {
			continue
		}
		took := e.Delivered.Sub(e.Sent)
		switch {
		case e.Src == "n0" && e.Dest == "n1" && took >= delay:
			slow++
		case e.Src == "n1" && e.Dest == "n0":
			fast++
		default:
			t.Errorf("journal entry %+v: delivered after %v", e, took)
		}
	}
	if slow != 1 || fast != 1 {
		t.Fatalf("journal has %d delayed n0 -> n1 notes and %d n1 -> n0 notes, want 1 and 1: %+v", slow, fast, c.Network().Journal())
	}
}

// TestLinKVThroughNodes: two nodes serve a client's read, write and cas
// by passing them on to the lin-kv service; both see one linearizable
// store, which a client also reaches directly at its id, and the
// service's errors come back with their codes. The same with lin-kv's
// state in the router's map and in a raftkv cluster.
func TestLinKVThroughNodes(t *testing.T) {
	for _, kind := range []string{LinKVMemory, LinKVRaftKV} {
		t.Run(kind, func(t *testing.T) {
			cfg := testConfig(t, "good", 2)
			cfg.LinKV, cfg.LinKVNodes = kind, 3
			linKVThroughNodes(t, startTest(t, cfg))
		})
	}
}

func linKVThroughNodes(t *testing.T, c *Cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b := client(t, c, 0), client(t, c, 1) // of n0, of n1
	if err := a.Put(ctx, "1", `"hello"`); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "1"); err != nil || v != `"hello"` {
		t.Fatalf("read through n1 = %q, %v; want the write through n0", v, err)
	}
	call(t, b, "", "cas", map[string]any{"key": 1, "from": "hello", "to": "bye"})
	_, err := a.Invoke(ctx, "", "cas", []byte(`{"key":1,"from":"hello","to":"again"}`))
	var re *maelstrom.RPCError
	if !errors.Is(err, backend.ErrDefinite) || !errors.As(err, &re) || re.Code != maelstrom.CodePreconditionFailed {
		t.Fatalf("cas from a stale value: %v, want precondition-failed (definite)", err)
	}
	if m := call(t, a, maelstrom.LinKV, "read", map[string]any{"key": 1}); m["value"] != "bye" {
		t.Fatalf("lin-kv holds %v, want bye", m)
	}
	if v, err := a.Get(ctx, "2"); err != nil || v != "" {
		t.Fatalf("read of a missing key = %q, %v; want key-does-not-exist as \"\"", v, err)
	}
	for _, id := range c.Nodes() {
		if p := c.Node(id).Problems(); len(p) > 0 {
			t.Errorf("%s: %q", id, p)
		}
	}
}

// TestOneWayPartition: with the link n0 -> n1 blocked, n0's messages to
// n1 are dropped (counted as partition drops) while n1's reach n0; once
// healed, n0 reaches n1 again.
func TestOneWayPartition(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 2))
	s := newSink(t, c, "watch")
	if err := c.Faults().SetLink("n0", "n1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if !c.Network().Link("n0", "n1").Blocked || c.Network().Link("n1", "n0").Blocked {
		t.Fatal("the fault is not on n0 -> n1 alone")
	}
	s.relay(c, "n0", "n1", "lost")
	waitStats(t, c, func(st maelstrom.NetStats) error {
		if st.Servers.Dropped.Partition != 1 || st.ByType["note"].Dropped.Partition != 1 {
			return fmt.Errorf("want n0's note to n1 dropped by the partition")
		}
		return nil
	})
	s.relay(c, "n1", "n0", "through")
	if m := s.next(t); m.Src != "n0" || !strings.Contains(string(m.Body), "through") {
		t.Fatalf("n1 -> n0 -> watch delivered %+v", m)
	}
	c.Faults().HealAll()
	s.relay(c, "n0", "n1", "healed")
	if m := s.next(t); m.Src != "n1" || !strings.Contains(string(m.Body), "healed") {
		t.Fatalf("after healing got %+v; the note dropped by the partition must never arrive", m)
	}
	if st := c.Network().Stats(); st.All.Dropped.Total() != 1 {
		t.Fatalf("drops %+v, want the one partition drop", st.All.Dropped)
	}
}

// TestKillRestartUnderCalls: clients keep calling a node while it is
// killed and restarted. A call to the killed node times out, an unknown
// outcome; a call to a node that does not exist fails at once, definitely
// (node-not-found); every failed call of the clients is an indefinite
// timeout, and after the restart the node answers each of them again.
func TestKillRestartUnderCalls(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 3))
	ctx := context.Background()
	var restarted atomic.Bool
	var (
		mu     sync.Mutex
		errs   []error
		answer = map[int]bool{} // worker -> answered after the restart
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		cl := client(t, c, w)
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				after := restarted.Load()
				cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
				_, err := cl.Invoke(cctx, "n1", "echo", []byte(`{"echo":"x"}`))
				cancel()
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if after {
					answer[w] = true
				}
				mu.Unlock()
			}
		})
	}
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	cl := client(t, c, 5)
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := cl.Invoke(cctx, "n1", "echo", nil)
	cancel()
	checkTimeout(t, err)
	_, err = cl.Invoke(ctx, "n7", "echo", nil)
	var re *maelstrom.RPCError
	if !errors.Is(err, backend.ErrDefinite) || !errors.As(err, &re) || re.Code != maelstrom.CodeNodeNotFound {
		t.Fatalf("a call to n7: %v, want node-not-found (definite)", err)
	}
	if err := c.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	restarted.Store(true)
	err = nodeproc.Poll(ctx, 30*time.Second, time.Millisecond, func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if len(answer) < 3 {
			return fmt.Errorf("%d of 3 clients got an answer from the restarted n1", len(answer))
		}
		return nil
	})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range errs {
		checkTimeout(t, err)
	}
	st := c.Network().Stats()
	if st.Clients.Dropped.SlowEndpoint < 1 || st.Clients.Dropped.UnknownDest != 1 {
		t.Fatalf("client drops %+v: want the calls to the killed n1 refused by it and the one to n7", st.Clients.Dropped)
	}
	if ns := c.Node("n1").Stats(); ns.Starts != 2 || ns.Inits != 2 || ns.DroppedDown < 1 {
		t.Fatalf("n1 stats %+v", ns)
	}
}

// checkTimeout fails the test unless err is a call's timeout: an
// indefinite error (the outcome is unknown) with Maelstrom's code timeout.
func checkTimeout(t *testing.T, err error) {
	t.Helper()
	var re *maelstrom.RPCError
	if err == nil || errors.Is(err, backend.ErrDefinite) || !errors.As(err, &re) || re.Code != maelstrom.CodeTimeout ||
		!errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want an indefinite timeout", err)
	}
}

// TestRouterStats: the router counts client traffic (to and from c1, c2,
// ...) and server traffic (between nodes and services) apart, message by
// message: an echo is two client messages; a write through a node is two
// client messages and two server ones (the node's request to lin-kv and
// its reply).
func TestRouterStats(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 2))
	cl := client(t, c, 0)
	for i := range 3 {
		call(t, cl, "n1", "echo", map[string]any{"echo": i})
	}
	call(t, cl, "", "write", map[string]any{"key": 1, "value": 2})
	st := waitStats(t, c, func(st maelstrom.NetStats) error {
		if st.All.Delivered != 10 {
			return fmt.Errorf("%d of 10 messages delivered", st.All.Delivered)
		}
		return nil
	})
	want := func(what string, tr maelstrom.Traffic, n int64) {
		t.Helper()
		if tr.Sent != n || tr.Delivered != n || tr.Dropped.Total() != 0 || tr.Duplicated != 0 || tr.Bytes <= 0 {
			t.Errorf("%s: %+v, want %d sent and delivered", what, tr, n)
		}
	}
	want("clients", st.Clients, 8)
	want("servers", st.Servers, 2)
	want("all", st.All, 10)
	want("echo", st.ByType["echo"], 3)
	want("echo_ok", st.ByType["echo_ok"], 3)
	want("write", st.ByType["write"], 2)
	want("write_ok", st.ByType["write_ok"], 2)
	if st.All.Bytes != st.Clients.Bytes+st.Servers.Bytes {
		t.Errorf("bytes: all %d, clients %d + servers %d", st.All.Bytes, st.Clients.Bytes, st.Servers.Bytes)
	}
}
