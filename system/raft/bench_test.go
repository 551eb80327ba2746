package raft

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hraft "github.com/hashicorp/raft"

	"faultline/system/storage"
	"faultline/transport"
	"faultline/transport/tcp"
)

// The commit benchmarks measure committed commands per second and commit
// latency for a three-node cluster over loopback TCP, with P proposers each
// proposing on the leader and waiting until its command is applied there.
// Run them with a fixed count, for example:
//
//	go test -run '^$' -bench 'Commit' -benchtime 20000x ./system/raft/
var benchProposers = []int{1, 16, 64, 256}

// benchCmd is the proposed command: 16 bytes.
const benchCmd = "0123456789abcdef"

// benchCluster is what the shared workload needs from a cluster.
type benchCluster interface {
	// propose proposes one command on the leader and waits for it to be
	// applied there.
	propose() error
	close()
}

// runCommitBench runs b.N proposals from p proposers and reports
// throughput and latency percentiles.
func runCommitBench(b *testing.B, bc benchCluster, p int) {
	defer bc.close()
	lat := make([][]time.Duration, p)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := bc.propose(); err != nil {
					failed.Store(&err)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatalf("propose: %v", *err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(q float64) float64 {
		return float64(all[min(len(all)-1, int(q*float64(len(all))))].Microseconds())
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commits/s")
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(pct(0.999), "p99.9-µs")
}

// BenchmarkCommit compares this Raft (in-memory persister, and the durable
// system/storage log with fsync) with hashicorp/raft (in-memory stores,
// NetworkTransport), on the same workload.
func BenchmarkCommit(b *testing.B) {
	for _, sys := range []string{"raft-memory", "raft-file", "hashicorp-inmem"} {
		for _, p := range benchProposers {
			b.Run(fmt.Sprintf("%s/proposers=%d", sys, p), func(b *testing.B) {
				var bc benchCluster
				switch sys {
				case "raft-memory":
					bc = newRaftBench(b, false)
				case "raft-file":
					bc = newRaftBench(b, true)
				case "hashicorp-inmem":
					bc = newHashicorpBench(b, false)
				}
				runCommitBench(b, bc, p)
			})
		}
	}
}

// raftBench is a three-node cluster of this package's Raft over TCP,
// driven as system/rsm drives it: through a Service (benchService) that
// the peer's loop calls with each batch of committed entries, which wakes
// the proposers waiting on the leader.
type raftBench struct {
	rafts   []*Raft
	svcs    []*benchService
	leader  atomic.Int32 // index of the leader in rafts
	lns     []*tcp.Listener
	clients []*tcp.Client
	done    chan struct{}
	wg      sync.WaitGroup
	closers []func()
}

// snapshotEvery is how often (in entries) the benchmark services
// snapshot, as a KV service bounding its log would.
const snapshotEvery = 2000

// benchService is the benchmark's replicated service on one peer: it
// records the applied index, wakes the proposers waiting for it and asks
// its snapshotter for a snapshot every snapshotEvery entries (Snapshot
// waits for the loop, so it must not be called from Apply).
type benchService struct {
	mu      sync.Mutex
	applied int
	waiters map[int]chan struct{}
	snapc   chan int // capacity 1: the newest index due for a snapshot
}

var _ Service = (*benchService)(nil)

// Apply implements Service.
func (s *benchService) Apply(msgs []ApplyMsg) error {
	last, due := 0, 0
	for i := range msgs {
		m := &msgs[i]
		switch {
		case m.CommandValid:
			last = m.CommandIndex
			if last%snapshotEvery == 0 {
				due = last
			}
		case m.SnapshotValid:
			last = m.SnapshotIndex
		}
	}
	if last == 0 {
		return nil
	}
	s.mu.Lock()
	for i := s.applied + 1; i <= last && len(s.waiters) > 0; i++ {
		if ch, ok := s.waiters[i]; ok {
			close(ch)
			delete(s.waiters, i)
		}
	}
	s.applied = max(s.applied, last)
	s.mu.Unlock()
	if due > 0 {
		select {
		case s.snapc <- due:
		default:
		}
	}
	return nil
}

// Lead implements Service.
func (s *benchService) Lead(int, bool) {}

// wait returns once index is applied, or an error when done closes first.
func (s *benchService) wait(index int, done <-chan struct{}) error {
	s.mu.Lock()
	if s.applied >= index {
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.waiters[index] = ch
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-done:
		return fmt.Errorf("index %d not applied before the cluster stopped", index)
	}
}

func newRaftBench(b *testing.B, durable bool) *raftBench {
	const n = 3
	rb := &raftBench{done: make(chan struct{})}
	servers := make([]*transport.Server, n)
	addrs := make([]string, n)
	tcfg := tcp.DefaultConfig()
	tcfg.Conns = 1
	for i := range n {
		servers[i] = transport.NewServer()
		ln, err := tcp.Listen("127.0.0.1:0", servers[i], tcfg)
		if err != nil {
			b.Fatal(err)
		}
		rb.lns = append(rb.lns, ln)
		addrs[i] = ln.Addr()
	}
	for i := range n {
		peers := make([]Peer, n)
		for j := range n {
			cl := tcp.Dial(addrs[j], tcfg)
			rb.clients = append(rb.clients, cl)
			peers[j] = cl
		}
		var p Persister = MakePersister()
		if durable {
			fp, err := storage.Open(b.TempDir(), storage.Options{})
			if err != nil {
				b.Fatal(err)
			}
			rb.closers = append(rb.closers, func() { fp.Close() })
			p = fp
		}
		svc := &benchService{waiters: map[int]chan struct{}{}, snapc: make(chan int, 1)}
		rf, err := New(peers, i, p, svc, DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		if err := registerRaft(servers[i], rf); err != nil {
			b.Fatal(err)
		}
		rb.rafts = append(rb.rafts, rf)
		rb.svcs = append(rb.svcs, svc)
		rb.wg.Go(func() { rb.snapshotter(rf, svc) })
	}
	if !rb.findLeader() {
		b.Fatal("no leader")
	}
	return rb
}

// registerRaft registers rf's RPC handlers with srv as typed functions
// (transport.RegisterFunc), which the server calls without reflection, as
// a deployment registering its peers for speed would.
func registerRaft(srv *transport.Server, rf *Raft) error {
	return errors.Join(
		transport.RegisterFunc(srv, "Raft.AppendEntries", rf.AppendEntries),
		transport.RegisterFunc(srv, "Raft.RequestVote", rf.RequestVote),
		transport.RegisterFunc(srv, "Raft.InstallSnapshot", rf.InstallSnapshot),
	)
}

// findLeader waits until a peer leads and makes it the one proposals go
// to; it reports false if none does within 10 s.
func (rb *raftBench) findLeader() bool {
	i, ok := pollLeader(10*time.Second, rb.rafts, func(rf *Raft) bool {
		_, leads := rf.GetState()
		return leads
	})
	if ok {
		rb.leader.Store(int32(i))
	}
	return ok
}

// snapshotter takes the snapshots svc asks for.
func (rb *raftBench) snapshotter(rf *Raft, svc *benchService) {
	for {
		select {
		case <-rb.done:
			return
		case index := <-svc.snapc:
			rf.Snapshot(index, []byte(strconv.Itoa(index)))
		}
	}
}

// propose proposes on the leader; when leadership moved (a loaded
// machine can delay heartbeats past an election timeout) it finds the new
// leader and proposes again, the time lost counting against this system.
func (rb *raftBench) propose() error {
	for range benchRetries {
		l := rb.leader.Load()
		if index, _, ok := rb.rafts[l].Start(benchCmd); ok {
			return rb.svcs[l].wait(index, rb.done)
		}
		if !rb.findLeader() {
			break
		}
	}
	return fmt.Errorf("no leader took the proposal")
}

// benchRetries bounds how often a proposal follows a change of leader.
const benchRetries = 5

func (rb *raftBench) close() {
	close(rb.done)
	for _, rf := range rb.rafts {
		rf.Kill()
	}
	rb.wg.Wait()
	for _, c := range rb.clients {
		c.Close()
	}
	for _, ln := range rb.lns {
		ln.Close()
	}
	for _, f := range rb.closers {
		f()
	}
}

// hashicorpBench is a three-node hashicorp/raft cluster over its
// NetworkTransport on loopback TCP, with in-memory stores or, when
// durable, hashicorpFileStore's fdatasynced log.
type hashicorpBench struct {
	rafts  []*hraft.Raft
	trans  []*hraft.NetworkTransport
	wals   []*benchWAL
	leader atomic.Pointer[hraft.Raft]
}

// nopFSM applies nothing: the benchmark measures the log.
type nopFSM struct{}

func (nopFSM) Apply(*hraft.Log) any                    { return nil }
func (nopFSM) Snapshot() (hraft.FSMSnapshot, error)    { return nopSnapshot{}, nil }
func (nopFSM) Restore(rc io.ReadCloser) error          { return rc.Close() }
func (nopSnapshot) Persist(s hraft.SnapshotSink) error { return s.Close() }
func (nopSnapshot) Release()                           {}

type nopSnapshot struct{}

// hashicorpConfig is hashicorp/raft's DefaultConfig tuned for a LAN as
// this package's DefaultConfig is, and for throughput where it has knobs
// that ours does without, so that the comparison is fair to it:
//   - timeouts near ours (heartbeats every 100 ms, elections after 300 to
//     600 ms): HeartbeatTimeout and ElectionTimeout 300 ms (its leader
//     heartbeats every HeartbeatTimeout/10 and its followers wait
//     [HeartbeatTimeout, 2*HeartbeatTimeout) ), LeaderLeaseTimeout 300 ms;
//   - MaxAppendEntries at its allowed maximum, 1024 (ours bounds an
//     append by bytes, 1 MiB, not by count), and BatchApplyCh on, so that
//     Apply hands commands to the leader loop through a buffered channel
//     and the loop commits them in groups, as our Start and loop do;
//   - snapshots every 2000 entries or so (SnapshotThreshold 2000, checked
//     every SnapshotInterval 100 ms, TrailingLogs 2000), like the
//     benchmark services of ours snapshotting every snapshotEvery entries,
//     so both keep short logs in memory;
//   - no logging (ours logs nothing either).
func hashicorpConfig(id hraft.ServerID) *hraft.Config {
	conf := hraft.DefaultConfig()
	conf.LocalID = id
	conf.LogOutput = io.Discard
	conf.LogLevel = "ERROR"
	conf.HeartbeatTimeout = 300 * time.Millisecond
	conf.ElectionTimeout = 300 * time.Millisecond
	conf.LeaderLeaseTimeout = 300 * time.Millisecond
	conf.MaxAppendEntries = 1024
	conf.BatchApplyCh = true
	conf.SnapshotThreshold = 2000
	conf.SnapshotInterval = 100 * time.Millisecond
	conf.TrailingLogs = 2000
	return conf
}

func newHashicorpBench(b *testing.B, durable bool) *hashicorpBench {
	const n = 3
	hb := &hashicorpBench{}
	var servers []hraft.Server
	for i := range n {
		tr, err := hraft.NewTCPTransport("127.0.0.1:0", nil, 3, 10*time.Second, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		hb.trans = append(hb.trans, tr)
		servers = append(servers, hraft.Server{ID: hraft.ServerID(strconv.Itoa(i)), Address: tr.LocalAddr()})
	}
	for i := range n {
		conf := hashicorpConfig(hraft.ServerID(strconv.Itoa(i)))
		var store interface {
			hraft.LogStore
			hraft.StableStore
		} = hraft.NewInmemStore()
		if durable {
			w, err := openBenchWAL(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			hb.wals = append(hb.wals, w)
			store = &hashicorpFileStore{InmemStore: hraft.NewInmemStore(), wal: w}
		}
		snaps := hraft.NewInmemSnapshotStore()
		if err := hraft.BootstrapCluster(conf, store, store, snaps, hb.trans[i], hraft.Configuration{Servers: servers}); err != nil {
			b.Fatal(err)
		}
		r, err := hraft.NewRaft(conf, nopFSM{}, store, store, snaps, hb.trans[i])
		if err != nil {
			b.Fatal(err)
		}
		hb.rafts = append(hb.rafts, r)
	}
	if !hb.findLeader() {
		b.Fatal("no hashicorp leader")
	}
	return hb
}

// findLeader waits until a node leads and makes it the one proposals go
// to; it reports false if none does within 20 s.
func (hb *hashicorpBench) findLeader() bool {
	i, ok := pollLeader(20*time.Second, hb.rafts, func(r *hraft.Raft) bool { return r.State() == hraft.Leader })
	if ok {
		hb.leader.Store(hb.rafts[i])
	}
	return ok
}

// propose applies on the leader, following a change of leader as
// raftBench.propose does.
func (hb *hashicorpBench) propose() error {
	var err error
	for range benchRetries {
		err = hb.leader.Load().Apply([]byte(benchCmd), 10*time.Second).Error()
		if !errors.Is(err, hraft.ErrLeadershipLost) && !errors.Is(err, hraft.ErrNotLeader) {
			return err
		}
		if !hb.findLeader() {
			break
		}
	}
	return err
}

func (hb *hashicorpBench) close() {
	for _, r := range hb.rafts {
		r.Shutdown().Error()
	}
	for _, t := range hb.trans {
		t.Close()
	}
	for _, w := range hb.wals {
		_ = w.close()
	}
}
