package raft

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/simnet"
	"faultline/transport/wire"
)

var flagNetSeed = flag.Int64("netseed", 0, "seed for the scenario tests' network and peers (0: random)")

// cluster is the scenario tests' harness: n peers on a simulated network,
// each with a service that records what it applies and checks it against
// the others.
type cluster struct {
	t        *testing.T
	n        int
	seed     int64
	net      *simnet.Network
	rng      *rand.Rand
	snapshot bool // services snapshot every snapEvery entries
	start    time.Time

	mu           sync.Mutex
	rafts        []*Raft
	applyChs     []chan ApplyMsg
	appliers     sync.WaitGroup
	persisters   []testPersister
	connected    []bool
	ends         [][]string // ends[i][j]: i's end to j, this incarnation
	gen          int
	logs         []map[int]any // applied commands by index, per peer
	lastApply    []int
	maxIndex     int
	err          error // first inconsistency an applier found
	snapInstalls int
	goroutines   int

	rpcs0  int
	bytes0 int64
}

const snapEvery = 10

// newCluster starts n connected peers with MemoryPersisters on a reliable
// or unreliable network.
func newCluster(t *testing.T, n int, reliable, snapshot bool) *cluster {
	t.Helper()
	return newClusterOn(t, n, reliable, snapshot, memoryStore)
}

// newClusterOn is newCluster with persisters of the given kind.
func newClusterOn(t *testing.T, n int, reliable, snapshot bool, kind storeKind) *cluster {
	t.Helper()
	seed := *flagNetSeed
	if seed == 0 {
		seed = rand.Int64()
	}
	c := &cluster{
		t: t, n: n, seed: seed, snapshot: snapshot,
		net:        simnet.MakeNetwork(seed),
		rng:        rand.New(rand.NewPCG(uint64(seed), 1)),
		start:      time.Now(),
		rafts:      make([]*Raft, n),
		applyChs:   make([]chan ApplyMsg, n),
		persisters: make([]testPersister, n),
		connected:  make([]bool, n),
		ends:       make([][]string, n),
		logs:       make([]map[int]any, n),
		lastApply:  make([]int, n),
		goroutines: runtime.NumGoroutine(),
	}
	c.net.Reliable(reliable)
	for i := range n {
		c.logs[i] = map[int]any{}
		switch kind {
		case memoryStore:
			c.persisters[i] = memoryTestPersister{MakePersister()}
		case blobStore:
			c.persisters[i] = newBlobTestPersister(MakePersister())
		case fakeLogStore:
			c.persisters[i] = newMemLogStore()
		case fileStore:
			c.persisters[i] = openFileTestPersister(t, t.TempDir())
		}
		c.start1(i)
	}
	for i := range n {
		c.connect(i)
	}
	t.Cleanup(c.cleanup)
	return c
}

func (c *cluster) fatalf(format string, args ...any) {
	c.t.Helper()
	c.t.Fatalf("(replay: -netseed %d) %s", c.seed, fmt.Sprintf(format, args...))
}

func (c *cluster) cleanup() {
	for i := range c.n {
		c.crash1(i)
	}
	c.net.Cleanup()
	c.appliers.Wait()
	for _, p := range c.persisters {
		if cl, ok := p.(interface{ Close() error }); ok {
			if err := cl.Close(); err != nil {
				c.t.Errorf("close persister: %v", err)
			}
		}
	}
	if c.t.Failed() {
		c.t.Logf("network seed %d", c.seed)
		return
	}
	// Nothing may outlive the cluster for long: calls in flight end with
	// the network.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > c.goroutines+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			c.t.Fatalf("goroutines leaked: %d, was %d\n%s", runtime.NumGoroutine(), c.goroutines, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *cluster) config(i int) Config {
	cfg := DefaultConfig()
	cfg.Seed = uint64(c.seed)*31 + uint64(c.gen)
	return cfg
}

// start1 (re)starts peer i from its persister, as after a crash, with
// fresh ends so that its old incarnation's calls cannot reach anyone.
func (c *cluster) start1(i int) {
	c.crash1(i)
	c.mu.Lock()
	c.gen++
	ends := make([]Peer, c.n)
	c.ends[i] = make([]string, c.n)
	for j := range c.n {
		name := "e" + strconv.Itoa(i) + "-" + strconv.Itoa(j) + "-" + strconv.Itoa(c.gen)
		c.ends[i][j] = name
		ends[j] = c.net.MakeEnd(name)
		c.net.Connect(name, strconv.Itoa(j))
	}
	p := c.persisters[i]
	c.lastApply[i] = 0
	c.logs[i] = map[int]any{}
	if snap := p.ReadSnapshot(); len(snap) > 0 {
		if err := c.ingestSnapshot(i, snap, -1); err != nil {
			c.mu.Unlock()
			c.fatalf("peer %d: %v", i, err)
		}
	}
	cfg := c.config(i)
	c.mu.Unlock()

	applyCh := make(chan ApplyMsg)
	rf, err := New(ends, i, p, ApplyChannel(applyCh), cfg)
	if err != nil {
		c.fatalf("start peer %d: %v", i, err)
	}
	srv := transport.NewServer()
	if err := srv.Register(rf); err != nil {
		c.fatalf("register: %v", err)
	}
	c.mu.Lock()
	c.rafts[i] = rf
	c.applyChs[i] = applyCh
	c.mu.Unlock()
	c.net.AddServer(strconv.Itoa(i), srv)
	c.appliers.Add(1)
	go c.applier(i, rf, applyCh)
}

// crash1 crashes peer i: it is cut off and killed, and its persister is
// replaced by what survives the crash (for a MemoryPersister, a copy made
// before the kill: what the dying peer writes is lost).
func (c *cluster) crash1(i int) {
	c.disconnect(i)
	c.net.DeleteServer(strconv.Itoa(i))
	c.mu.Lock()
	rf := c.rafts[i]
	c.rafts[i] = nil
	ch := c.applyChs[i]
	c.applyChs[i] = nil
	p := c.persisters[i]
	c.mu.Unlock()
	p = p.crash(func() {
		if rf != nil {
			rf.Kill()
			close(ch) // rf's applier has exited: nobody sends on ch any more
		}
	})
	c.mu.Lock()
	c.persisters[i] = p
	c.mu.Unlock()
}

// applier is peer i's service: it checks that commands arrive in order and
// agree with what other peers applied, and snapshots when asked to.
func (c *cluster) applier(i int, rf *Raft, applyCh chan ApplyMsg) {
	defer c.appliers.Done()
	for m := range applyCh {
		c.mu.Lock()
		if c.rafts[i] != rf {
			// This incarnation has crashed and perhaps restarted: what it
			// delivered but its service had not yet taken is lost with the
			// crash, and must not be checked against the new incarnation's
			// progress (start1 reset it).
			c.mu.Unlock()
			continue
		}
		var err error
		switch {
		case m.SnapshotValid:
			err = c.ingestSnapshot(i, m.Snapshot, m.SnapshotIndex)
			c.snapInstalls++
		case m.CommandValid:
			err = c.record(i, m)
		default:
			err = fmt.Errorf("peer %d: empty ApplyMsg %+v", i, m)
		}
		if err != nil && c.err == nil {
			c.err = err
		}
		var snap []byte
		if err == nil && c.snapshot && m.CommandValid && m.CommandIndex%snapEvery == 0 {
			snap = c.encodeSnapshot(i, m.CommandIndex)
		}
		c.mu.Unlock()
		if snap != nil {
			rf.Snapshot(m.CommandIndex, snap)
		}
	}
}

// record checks and stores one applied command; c.mu is held.
func (c *cluster) record(i int, m ApplyMsg) error {
	if m.CommandIndex != c.lastApply[i]+1 {
		return fmt.Errorf("peer %d applied index %d after %d", i, m.CommandIndex, c.lastApply[i])
	}
	for j := range c.n {
		if old, ok := c.logs[j][m.CommandIndex]; ok && old != m.Command {
			return fmt.Errorf("commit index=%d peer=%d %v != peer=%d %v", m.CommandIndex, i, m.Command, j, old)
		}
	}
	c.logs[i][m.CommandIndex] = m.Command
	c.lastApply[i] = m.CommandIndex
	c.maxIndex = max(c.maxIndex, m.CommandIndex)
	return nil
}

// serviceSnapshot is the test service's snapshot: every command up to
// LastIndex (commands are ints in snapshot tests).
type serviceSnapshot struct {
	LastIndex int
	Cmds      []int
}

func (c *cluster) encodeSnapshot(i, index int) []byte {
	s := serviceSnapshot{LastIndex: index}
	for k := 1; k <= index; k++ {
		v, _ := c.logs[i][k].(int)
		s.Cmds = append(s.Cmds, v)
	}
	b, err := wire.Marshal(&s)
	if err != nil {
		panic(err)
	}
	return b
}

// ingestSnapshot installs a snapshot in peer i's service; index is the
// index Raft says it has (-1 on restart); c.mu is held.
func (c *cluster) ingestSnapshot(i int, data []byte, index int) error {
	var s serviceSnapshot
	if err := wire.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("peer %d: snapshot does not decode: %v", i, err)
	}
	if index != -1 && index != s.LastIndex {
		return fmt.Errorf("peer %d: snapshot says index %d, Raft says %d", i, s.LastIndex, index)
	}
	if index != -1 && s.LastIndex <= c.lastApply[i] {
		return fmt.Errorf("peer %d: snapshot %d does not advance applied %d", i, s.LastIndex, c.lastApply[i])
	}
	c.logs[i] = map[int]any{}
	for k, v := range s.Cmds {
		idx := k + 1
		for j := range c.n {
			if old, ok := c.logs[j][idx]; ok && old != any(v) {
				return fmt.Errorf("snapshot of peer %d: index %d holds %v, peer %d applied %v", i, idx, v, j, old)
			}
		}
		c.logs[i][idx] = v
	}
	c.lastApply[i] = s.LastIndex
	c.maxIndex = max(c.maxIndex, s.LastIndex)
	return nil
}

func (c *cluster) checkErr() {
	c.t.Helper()
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err != nil {
		c.fatalf("apply error: %v", err)
	}
}

// connect attaches peer i to the network (both directions).
func (c *cluster) connect(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected[i] = true
	for j := range c.n {
		if c.connected[j] {
			if c.ends[i] != nil {
				c.net.Enable(c.ends[i][j], true)
			}
			if c.ends[j] != nil {
				c.net.Enable(c.ends[j][i], true)
			}
		}
	}
}

// disconnect cuts peer i off (both directions).
func (c *cluster) disconnect(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected[i] = false
	for j := range c.n {
		if c.ends[i] != nil {
			c.net.Enable(c.ends[i][j], false)
		}
		if c.ends[j] != nil {
			c.net.Enable(c.ends[j][i], false)
		}
	}
}

func (c *cluster) raft(i int) *Raft {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rafts[i]
}

func (c *cluster) isConnected(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected[i]
}

// poll calls cond every few milliseconds until it returns true or d
// passes; it reports whether cond held.
func poll(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pollLeader waits up to d until one of nodes leads (by leads) and returns
// its position; ok is false if none does in time.
func pollLeader[T any](d time.Duration, nodes []T, leads func(T) bool) (i int, ok bool) {
	ok = poll(d, func() bool {
		for i = range nodes {
			if leads(nodes[i]) {
				return true
			}
		}
		return false
	})
	return i, ok
}

// leaders returns the connected peers that think they lead, by term.
func (c *cluster) leaders() map[int][]int {
	out := map[int][]int{}
	for i := range c.n {
		if rf := c.raft(i); rf != nil && c.isConnected(i) {
			if term, ok := rf.GetState(); ok {
				out[term] = append(out[term], i)
			}
		}
	}
	return out
}

// checkOneLeader waits until exactly one connected peer believes it leads
// (a rejoined old leader has heard of the newer term) and returns it; two
// leaders in one term fail the test.
func (c *cluster) checkOneLeader() int {
	c.t.Helper()
	leader := -1
	ok := poll(5*time.Second, func() bool {
		count := 0
		for term, ls := range c.leaders() {
			if len(ls) > 1 {
				c.fatalf("term %d has %d leaders: %v", term, len(ls), ls)
			}
			count++
			leader = ls[0]
		}
		return count == 1
	})
	if !ok {
		c.fatalf("expected one leader, got %v", c.leaders())
	}
	return leader
}

// checkTerms returns the term all connected peers agree on.
func (c *cluster) checkTerms() int {
	c.t.Helper()
	term := -1
	for i := range c.n {
		if rf := c.raft(i); rf != nil && c.isConnected(i) {
			t, _ := rf.GetState()
			if term == -1 {
				term = t
			} else if t != term {
				c.fatalf("peers disagree on term: %d and %d", term, t)
			}
		}
	}
	return term
}

// checkNoLeader fails if a connected peer thinks it leads.
func (c *cluster) checkNoLeader() {
	c.t.Helper()
	for term, ls := range c.leaders() {
		c.fatalf("expected no leader among connected peers, but %v lead term %d", ls, term)
	}
}

// nCommitted returns how many peers applied index, and the command.
func (c *cluster) nCommitted(index int) (int, any) {
	c.t.Helper()
	c.checkErr()
	c.mu.Lock()
	defer c.mu.Unlock()
	count := 0
	var cmd any
	for i := range c.n {
		if v, ok := c.logs[i][index]; ok {
			if count > 0 && v != cmd {
				c.t.Fatalf("committed values at %d do not match: %v, %v", index, cmd, v)
			}
			count++
			cmd = v
		}
	}
	return count, cmd
}

// wait waits until at least n peers applied index, and returns the
// command, or -1 if the leader's term moved past startTerm meanwhile.
func (c *cluster) wait(index, n, startTerm int) any {
	c.t.Helper()
	to := 10 * time.Millisecond
	for range 30 {
		if nd, _ := c.nCommitted(index); nd >= n {
			break
		}
		time.Sleep(to)
		if to < time.Second {
			to *= 2
		}
		if startTerm > -1 {
			for i := range c.n {
				if rf := c.raft(i); rf != nil {
					if t, _ := rf.GetState(); t > startTerm {
						return -1
					}
				}
			}
		}
	}
	nd, v := c.nCommitted(index)
	if nd < n {
		c.fatalf("only %d decided for index %d; wanted %d", nd, index, n)
	}
	return v
}

// one submits cmd to whichever connected peer leads, and waits until
// expected peers applied it at one index, which it returns. With retry, a
// command whose leader lost its term before committing it is submitted
// again (the client protocol of the course's tests); without, that fails.
func (c *cluster) one(cmd any, expected int, retry bool) int {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	starts := 0
	for time.Now().Before(deadline) {
		index := -1
		for range c.n {
			starts = (starts + 1) % c.n
			if rf := c.raft(starts); rf != nil && c.isConnected(starts) {
				if i, _, ok := rf.Start(cmd); ok {
					index = i
					break
				}
			}
		}
		if index != -1 {
			until := time.Now().Add(2 * time.Second)
			for time.Now().Before(until) {
				nd, v := c.nCommitted(index)
				if nd > 0 && nd >= expected && v == cmd {
					return index
				}
				time.Sleep(20 * time.Millisecond)
			}
			if !retry {
				c.fatalf("one(%v) failed to reach agreement", cmd)
			}
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	c.fatalf("one(%v) failed to reach agreement in 10s", cmd)
	return -1
}

// begin marks the start of a test phase for the RPC and byte counters.
func (c *cluster) begin(desc string) {
	c.t.Logf("%s (seed %d)", desc, c.seed)
	c.rpcs0 = c.net.GetTotalCount()
	c.bytes0 = c.net.GetTotalBytes()
}

func (c *cluster) bytesTotal() int64 { return c.net.GetTotalBytes() }

// rpcCount is the number of RPCs delivered to peer i's current incarnation.
func (c *cluster) rpcCount(i int) int { return c.net.GetCount(strconv.Itoa(i)) }
