package raft

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	etcdraft "go.etcd.io/raft/v3"
)

// etcdTick is the tick of the etcd-raft contender: etcd's default
// --heartbeat-interval of 100 ms, with etcdConfig's heartbeat every tick
// and elections after 10 to 20 ticks (etcd's default --election-timeout of
// 1 s).
const etcdTick = 100 * time.Millisecond

// etcdConfig is the raft.Config of one etcd-raft node as etcd's own server
// builds it (server/etcdserver/bootstrap.go, raftConfig):
//   - ElectionTick 10, HeartbeatTick 1 (etcd's defaults);
//   - MaxSizePerMsg 1 MiB and MaxInflightMsgs 512 (etcd's maxSizePerMsg
//     and maxInflightMsgs, 4096/8);
//   - CheckQuorum and PreVote on (etcd's --pre-vote defaults to true);
//   - synchronous storage writes (AsyncStorageWrites off, as in etcd),
//     no logging.
func etcdConfig(id uint64, storage etcdraft.Storage) *etcdraft.Config {
	return &etcdraft.Config{
		ID:              id,
		ElectionTick:    10,
		HeartbeatTick:   1,
		Storage:         storage,
		MaxSizePerMsg:   1 << 20,
		MaxInflightMsgs: 4096 / 8,
		CheckQuorum:     true,
		PreVote:         true,
		Logger:          etcdQuietLogger(),
	}
}

// etcdQuietLogger is etcd-raft's default logger with its output discarded.
func etcdQuietLogger() etcdraft.Logger {
	return &etcdraft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}
}

// etcdRaftBench is a three-node cluster of etcd's Raft library,
// go.etcd.io/raft/v3, each node driven by the Ready loop its makers
// recommend (etcdNode.run) over rafthttp-like TCP streams on loopback.
// A proposal carries a 16-byte command (an 8-byte request ID and 8 bytes
// of benchCmd), and the proposer waits, as etcd's server does, on a wait
// registry keyed by that ID that the leader's apply triggers.
type etcdRaftBench struct {
	nodes  []*etcdNode
	leader atomic.Pointer[etcdNode]
	nextID atomic.Uint64
}

func newEtcdRaftBench(b *testing.B, durable bool) *etcdRaftBench {
	const n = 3
	eb := &etcdRaftBench{}
	peers := make([]etcdraft.Peer, n)
	addrs := map[uint64]string{}
	for i := range n {
		id := uint64(i + 1)
		peers[i] = etcdraft.Peer{ID: id}
		dir := ""
		if durable {
			dir = b.TempDir()
		}
		en, err := newEtcdNode(id, dir)
		if err != nil {
			eb.close()
			b.Fatal(err)
		}
		eb.nodes = append(eb.nodes, en)
		addrs[id] = en.streams.ln.Addr().String()
	}
	for _, en := range eb.nodes {
		others := map[uint64]string{}
		for id, a := range addrs {
			if id != en.id {
				others[id] = a
			}
		}
		if err := en.start(peers, others); err != nil {
			eb.close()
			b.Fatal(err)
		}
	}
	// Elect node 1 at once rather than after an election timeout.
	_ = eb.nodes[0].node.Campaign(context.Background())
	if !eb.findLeader() {
		eb.close()
		b.Fatal("no etcd-raft leader")
	}
	return eb
}

// findLeader waits until a node leads and makes it the one proposals go
// to; it reports false if none does within 20 s.
func (eb *etcdRaftBench) findLeader() bool {
	i, ok := pollLeader(20*time.Second, eb.nodes, func(en *etcdNode) bool { return en.isLeader.Load() })
	if ok {
		eb.leader.Store(eb.nodes[i])
	}
	return ok
}

// propose proposes one command on the leader and waits until the node it
// proposed on has applied it (a node that lost leadership forwards the
// proposal to the new leader, and applies it as a follower). A proposal
// dropped for want of a leader follows the change of leader, as
// raftBench.propose does.
func (eb *etcdRaftBench) propose() error {
	id := eb.nextID.Add(1)
	var data [len(benchCmd)]byte
	binary.BigEndian.PutUint64(data[:8], id)
	copy(data[8:], benchCmd)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var en *etcdNode
	var ch <-chan struct{}
	for attempt := 0; ; attempt++ {
		en = eb.leader.Load()
		ch = en.waits.register(id)
		err := en.node.Propose(ctx, data[:])
		if err == nil {
			break
		}
		en.waits.trigger(id)
		if !errors.Is(err, etcdraft.ErrProposalDropped) || attempt+1 == benchRetries || !eb.findLeader() {
			return fmt.Errorf("etcd-raft propose: %w", err)
		}
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		en.waits.trigger(id)
		return fmt.Errorf("etcd-raft request %d not applied: %w", id, ctx.Err())
	}
}

// close stops every node, then every transport.
func (eb *etcdRaftBench) close() {
	for _, en := range eb.nodes {
		en.stop()
	}
	for _, en := range eb.nodes {
		en.streams.close()
		en.closeWAL()
	}
}

// etcdWaits is the proposers' wait registry (etcd's pkg/wait): a channel
// per request ID, closed by trigger.
type etcdWaits struct {
	mu sync.Mutex
	m  map[uint64]chan struct{}
}

func (w *etcdWaits) register(id uint64) <-chan struct{} {
	ch := make(chan struct{})
	w.mu.Lock()
	if w.m == nil {
		w.m = map[uint64]chan struct{}{}
	}
	w.m[id] = ch
	w.mu.Unlock()
	return ch
}

// trigger closes and forgets id's channel, if any.
func (w *etcdWaits) trigger(id uint64) {
	w.mu.Lock()
	ch, ok := w.m[id]
	delete(w.m, id)
	w.mu.Unlock()
	if ok {
		close(ch)
	}
}
