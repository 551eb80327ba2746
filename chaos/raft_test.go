package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/kvraft"
	"faultline/system/raft"
	"faultline/transport"
	"faultline/transport/tcp"
)

// raftCluster is a kvraft cluster in this test process over transport/tcp,
// its nodes sharing one fault table: the shape a backend needs to offer
// FaultSeam. It also kills and restarts nodes (keeping their persisters).
type raftCluster struct {
	names  []string
	addrs  []string
	faults *tcp.Faults

	mu    sync.Mutex
	nodes []*raftNode // nil when killed
	store []*raft.MemoryPersister
}

type raftNode struct {
	kv    *kvraft.KVServer
	ln    *tcp.Listener
	peers []*tcp.Client
}

var (
	_ backend.Killer       = (*raftCluster)(nil)
	_ backend.LeaderFinder = (*raftCluster)(nil)
	_ FaultSeam            = (*raftCluster)(nil)
)

func newRaftCluster(t *testing.T, n int) *raftCluster {
	t.Helper()
	c := &raftCluster{names: names(n), faults: tcp.NewFaults(5), nodes: make([]*raftNode, n)}
	// Take free ports, then start every node on its own.
	for range n {
		ln, err := tcp.Listen("127.0.0.1:0", transport.NewServer(), tcp.Config{})
		if err != nil {
			t.Fatal(err)
		}
		c.addrs = append(c.addrs, ln.Addr())
		ln.Close()
		c.store = append(c.store, raft.MakePersister())
	}
	for i := range n {
		if err := c.start(i); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

func (c *raftCluster) start(i int) error {
	cfg := tcp.Config{Node: c.names[i], Faults: c.faults, CallTimeout: 300 * time.Millisecond}
	nd := &raftNode{}
	peers := make([]raft.Peer, len(c.names))
	for j := range c.names {
		p := tcp.DialNamed(c.names[j], c.addrs[j], cfg)
		nd.peers = append(nd.peers, p)
		peers[j] = p
	}
	c.mu.Lock()
	c.store[i] = c.store[i].Copy()
	st := c.store[i]
	c.mu.Unlock()
	nd.kv = kvraft.StartKVServer(peers, i, st, -1)
	srv := transport.NewServer()
	if err := errors.Join(srv.Register(nd.kv), srv.Register(nd.kv.Raft())); err != nil {
		return err
	}
	var err error
	for range 50 { // the port of a killed node may take a moment to free
		if nd.ln, err = tcp.Listen(c.addrs[i], srv, cfg); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		nd.stop()
		return err
	}
	c.mu.Lock()
	c.nodes[i] = nd
	c.mu.Unlock()
	return nil
}

func (nd *raftNode) stop() {
	nd.kv.Kill()
	if nd.ln != nil {
		nd.ln.Close()
	}
	for _, p := range nd.peers {
		p.Close()
	}
}

func (c *raftCluster) index(name string) (int, error) {
	for i, x := range c.names {
		if x == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no node %q", name)
}

func (c *raftCluster) Nodes() []string               { return names(len(c.names)) }
func (c *raftCluster) Faults() transport.LinkFaulter { return c.faults }

func (c *raftCluster) Client(context.Context, int) (backend.Client, error) {
	var callers []transport.Caller
	for i, a := range c.addrs {
		callers = append(callers, tcp.DialNamed(c.names[i], a, tcp.Config{}))
	}
	return kvraft.NewClient(callers, kvraft.ClientConfig{Names: c.names, AttemptTimeout: 300 * time.Millisecond})
}

func (c *raftCluster) Stop(context.Context) error {
	for i := range c.names {
		c.halt(i)
	}
	return nil
}

// halt stops node i if it runs.
func (c *raftCluster) halt(i int) {
	c.mu.Lock()
	nd := c.nodes[i]
	c.nodes[i] = nil
	c.mu.Unlock()
	if nd != nil {
		nd.stop()
	}
}

func (c *raftCluster) Kill(_ context.Context, name string) error {
	i, err := c.index(name)
	if err == nil {
		c.halt(i)
	}
	return err
}

func (c *raftCluster) Restart(_ context.Context, name string) error {
	i, err := c.index(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	running := c.nodes[i] != nil
	c.mu.Unlock()
	if running {
		return nil
	}
	return c.start(i)
}

// Leader names the live node that says it leads in the highest term.
func (c *raftCluster) Leader(context.Context) (string, error) {
	best, term := "", -1
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, nd := range c.nodes {
		if nd == nil {
			continue
		}
		var r kvraft.StatusReply
		nd.kv.Status(&kvraft.StatusArgs{}, &r)
		if r.IsLeader && r.Term > term {
			best, term = c.names[i], r.Term
		}
	}
	return best, nil
}

func (c *raftCluster) waitLeader(t *testing.T, not string) string {
	t.Helper()
	var l string
	waitFor(t, "a leader other than "+not, func() bool {
		l, _ = c.Leader(context.Background())
		return l != "" && l != not
	})
	return l
}

func put(t *testing.T, cl backend.Client, k, v string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.Put(ctx, k, v); err != nil {
		t.Fatalf("put %s: %v", k, err)
	}
}

func get(t *testing.T, cl backend.Client, k string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := cl.Get(ctx, k)
	if err != nil {
		t.Fatalf("get %s: %v", k, err)
	}
	return v
}

func TestIsolatedLeaderIsReplaced(t *testing.T) {
	c := newRaftCluster(t, 3)
	old := c.waitLeader(t, "")
	cl, err := c.Client(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	put(t, cl, "k", "before")

	n := nemesisFor(t, "- {fault: partition, shape: leader, at: 0s, for: 1h}", 0)
	r, stop := setUp(t, n, c)
	r.await(t, "partition")
	if ev, _ := r.find("partition"); !strings.Contains(ev.desc, old+" | ") {
		t.Errorf("partition %q does not isolate the leader %s", ev.desc, old)
	}
	repl := c.waitLeader(t, old)
	t.Logf("leader %s isolated, %s took over", old, repl)
	// The majority side serves writes.
	put(t, cl, "k", "during")
	stop()
	put(t, cl, "k", "after")
	if v := get(t, cl, "k"); v != "after" {
		t.Errorf("get k = %q after heal", v)
	}
}

func TestKilledNodesRestartWithTheirData(t *testing.T) {
	c := newRaftCluster(t, 3)
	c.waitLeader(t, "")
	cl, err := c.Client(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 5 {
		put(t, cl, fmt.Sprint("k", i), fmt.Sprint("v", i))
	}
	n := nemesisFor(t, "- {fault: kill, target: all, at: 0s, for: 300ms}", 0)
	r, stop := setUp(t, n, c)
	r.await(t, "kill")
	// While the window is open every node is gone: nothing listens.
	c.mu.Lock()
	for i, nd := range c.nodes {
		if nd != nil {
			t.Errorf("node %d still running during the kill", i)
		}
	}
	c.mu.Unlock()
	if ev, _ := r.find("kill"); ev.open {
		probe := tcp.Dial(c.addrs[0], tcp.Config{CallTimeout: 200 * time.Millisecond})
		var rep kvraft.StatusReply
		if probe.Call("KVServer.Status", &kvraft.StatusArgs{}, &rep) {
			// The window may have just ended; only complain if it is
			// still open.
			if ev, _ := r.find("kill"); ev.open {
				t.Errorf("a killed node answered")
			}
		}
		probe.Close()
	}
	waitFor(t, "the restart", func() bool { ev, _ := r.find("kill"); return !ev.open })
	stop()
	c.waitLeader(t, "")
	for i := range 5 {
		if v := get(t, cl, fmt.Sprint("k", i)); v != fmt.Sprint("v", i) {
			t.Errorf("after restart k%d = %q, want v%d", i, v, i)
		}
	}
}
