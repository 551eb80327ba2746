package raft

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Peer is the client end of the RPC connection to one peer, in the shape
// of the course's labrpc.ClientEnd (transport.Caller satisfies it). Call
// returns false when no reply came.
type Peer interface {
	Call(svcMeth string, args any, reply any) bool
}

// contextPeer is a Peer whose calls can be cancelled (transport.ContextCaller).
// Raft uses it, when offered, to abandon calls in flight on Kill.
type contextPeer interface {
	CallContext(ctx context.Context, svcMeth string, args any, reply any) error
}

// Raft is one Raft peer: the driver around the deterministic core. It owns
// every goroutine of the peer: the event loop (the only one touching the
// core and the storage), one goroutine per RPC in flight, and the applier
// feeding the apply channel.
type Raft struct {
	me        int
	peers     []Peer
	persister Persister
	store     LogStore
	applyCh   chan<- ApplyMsg
	cfg       Config
	logger    *slog.Logger

	core *core // owned by run

	propc chan struct{} // capacity 1: "props has new proposals"
	recvc chan inbound
	respc chan message
	snapc chan snapRequest
	readc chan chan readResult

	done     chan struct{}
	ctx      context.Context // cancelled on Kill, for calls in flight
	cancel   context.CancelFunc
	killOnce sync.Once
	wg       sync.WaitGroup
	calls    sync.WaitGroup // RPCs in flight, for tests
	failed   atomic.Pointer[error]

	status atomic.Uint64 // term<<1 | isLeader, published by run
	apply  *applyQueue

	props proposals

	// Owned by run.
	nextRef   uint64
	waiting   map[uint64]chan message
	readBatch []chan readResult
	readRound uint64
	readWaits map[uint64][]chan readResult
	snapWaits []snapRequest
}

// proposals is the hand-off between Start and the loop. Start assigns the
// index itself, so it never waits for the loop: the loop publishes here,
// before it appends a batch, the term and leadership of the core and the
// index after its last entry, and drops proposals of a term that ended.
//
// Invariant: while leader is set, the core leads term and its log ends at
// next-len(pending)-1.
type proposals struct {
	mu      sync.Mutex
	term    int
	leader  bool
	next    int      // index the next proposal gets
	pending [][]byte // encoded commands at next-len(pending) .. next-1
	spare   [][]byte
}

type inbound struct {
	m     message
	reply chan message
}

type snapRequest struct {
	index int
	data  []byte
	done  chan struct{}
}

// Make creates a Raft peer with DefaultConfig, in the course's shape.
// peers[me] is this peer's own end (unused). The peer restores its state
// from persister; the service restores its own from
// persister.ReadSnapshot(): committed entries after the snapshot are sent
// on applyCh again once known committed. Make panics if the persisted
// state does not load; New returns the error instead.
func Make(peers []Peer, me int, persister Persister, applyCh chan ApplyMsg) *Raft {
	rf, err := New(peers, me, persister, applyCh, DefaultConfig())
	if err != nil {
		panic(err)
	}
	return rf
}

// New is Make with an explicit configuration. If persister also implements
// LogStore, the log is written through it incrementally; otherwise the
// whole state is saved as one blob on every change.
func New(peers []Peer, me int, persister Persister, applyCh chan<- ApplyMsg, cfg Config) (*Raft, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	store, ok := persister.(LogStore)
	if !ok {
		ss, err := newStateStore(persister)
		if err != nil {
			return nil, err
		}
		store = ss
	}
	term, vote, snapIndex, snapTerm, stored, err := store.LoadState()
	if err != nil {
		return nil, fmt.Errorf("raft: load state: %w", err)
	}
	ents := make([]Entry, len(stored))
	for i, b := range stored {
		if ents[i], err = decodeEntry(b); err != nil {
			return nil, fmt.Errorf("raft: stored entry %d: %w", snapIndex+1+i, err)
		}
	}
	snap := snapshot{Index: snapIndex, Term: snapTerm}
	if snapIndex > 0 {
		snap.Data = persister.ReadSnapshot()
	}
	c, err := newCore(cfg, me, len(peers), hardState{Term: term, Vote: vote}, snap, ents)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	rf := &Raft{
		me:        me,
		peers:     peers,
		persister: persister,
		store:     store,
		applyCh:   applyCh,
		cfg:       cfg,
		logger:    cfg.logger().With("raft", me),
		core:      c,
		propc:     make(chan struct{}, 1),
		recvc:     make(chan inbound, 256),
		respc:     make(chan message, 1024),
		snapc:     make(chan snapRequest),
		readc:     make(chan chan readResult, 256),
		done:      make(chan struct{}),
		ctx:       ctx,
		cancel:    cancel,
		apply:     newApplyQueue(),
		waiting:   map[uint64]chan message{},
		readWaits: map[uint64][]chan readResult{},
	}
	rf.publish()
	rf.wg.Add(2)
	go rf.run()
	go rf.applier()
	return rf, nil
}

// Start proposes command for the log. On the leader it returns at once,
// before the command commits, with the index it will have if it ever
// commits and the current term; elsewhere isLeader is false. The command
// is encoded with wire.EncodeAny and reaches applyCh with its dynamic type,
// which every process decoding it must know (wire.Register).
func (rf *Raft) Start(command any) (index int, term int, isLeader bool) {
	term, isLeader = rf.GetState()
	if !isLeader || rf.killed() {
		return -1, term, false
	}
	data, err := encodeCommand(command)
	if err != nil {
		rf.logger.Error("cannot encode command", "type", fmt.Sprintf("%T", command), "err", err)
		return -1, term, false
	}
	p := &rf.props
	p.mu.Lock()
	if !p.leader {
		p.mu.Unlock()
		return -1, term, false
	}
	index, term = p.next, p.term
	p.next++
	p.pending = append(p.pending, data)
	p.mu.Unlock()
	select {
	case rf.propc <- struct{}{}:
	default:
	}
	return index, term, true
}

// GetState returns the current term and whether this peer believes it is
// the leader.
func (rf *Raft) GetState() (term int, isLeader bool) {
	s := rf.status.Load()
	return int(s >> 1), s&1 == 1
}

// Snapshot tells Raft that the service's state up to and including index
// is captured by snapshot, so the log up to index can be dropped. index
// must have been applied. It returns once the snapshot is persisted.
func (rf *Raft) Snapshot(index int, snapshot []byte) {
	req := snapRequest{index: index, data: snapshot, done: make(chan struct{})}
	select {
	case rf.snapc <- req:
	case <-rf.done:
		return
	}
	select {
	case <-req.done:
	case <-rf.done:
	}
}

// ReadIndex supports linearizable reads without writing the log (§6.4 of
// the Raft thesis). On the leader it confirms, with a round of heartbeats
// answered by a quorum, that it was still the leader after the call began,
// and returns its commit index at the call: once the service has applied
// up to that index, a read of its state reflects every write that
// completed before ReadIndex was called. It returns ErrNotLeader on a
// follower or if leadership is lost, ErrNotReady if the leader has not yet
// committed an entry of its term (use Start then), or ctx's error.
func (rf *Raft) ReadIndex(ctx context.Context) (int, error) {
	if _, isLeader := rf.GetState(); !isLeader {
		return 0, ErrNotLeader
	}
	ch := make(chan readResult, 1)
	select {
	case rf.readc <- ch:
	case <-rf.done:
		return 0, ErrNotLeader
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case r := <-ch:
		return r.index, r.err
	case <-rf.done:
		return 0, ErrNotLeader
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// RaftStateSize returns the size of the persisted Raft state, so that a
// service can decide when to snapshot.
func (rf *Raft) RaftStateSize() int { return rf.persister.RaftStateSize() }

// Kill stops the peer: its loop, applier and ticker stop, RPC handlers
// return empty replies and calls in flight are abandoned (cancelled when
// the peer end implements CallContext). It returns once the peer's own
// goroutines have exited; it is safe to call more than once.
func (rf *Raft) Kill() {
	rf.killOnce.Do(func() {
		close(rf.done)
		rf.cancel()
	})
	rf.wg.Wait()
}

func (rf *Raft) killed() bool {
	select {
	case <-rf.done:
		return true
	default:
		return false
	}
}

// handle runs an incoming request through the loop and returns the
// response once whatever it depends on is persisted. ok is false when the
// peer is dead or the request is malformed.
func (rf *Raft) handle(m message) (message, bool) {
	if m.From < 0 || m.From >= len(rf.peers) || m.From == rf.me || (m.Type == msgSnap && m.Snapshot == nil) {
		return message{}, false
	}
	in := inbound{m: m, reply: make(chan message, 1)}
	select {
	case rf.recvc <- in:
	case <-rf.done:
		return message{}, false
	}
	select {
	case resp := <-in.reply:
		return resp, true
	case <-rf.done:
		return message{}, false
	}
}

// maxDrain bounds the events one loop iteration takes before acting.
const maxDrain = 512

// run is the event loop. It alone touches the core and the storage: it
// collects events (ticks, proposals, incoming requests, responses), then
// persists, sends and applies what the core asks for in one batch, so one
// Sync covers everything that arrived meanwhile.
func (rf *Raft) run() {
	defer rf.wg.Done()
	ticker := time.NewTicker(rf.cfg.TickInterval)
	defer ticker.Stop()
	for {
		select {
		case <-rf.done:
			return
		case <-ticker.C:
			rf.core.tick()
		case <-rf.propc:
		case in := <-rf.recvc:
			rf.stepInbound(in)
		case m := <-rf.respc:
			_ = rf.core.step(m)
		case s := <-rf.snapc:
			rf.compact(s)
		case ch := <-rf.readc:
			rf.readBatch = append(rf.readBatch, ch)
		}
		rf.drain()
		rf.flushProposals()
		rf.flushReads()
		if rf.core.hasReady() {
			if err := rf.handleReady(); err != nil {
				rf.fail(err)
				return
			}
		}
		for _, s := range rf.snapWaits {
			close(s.done)
		}
		rf.snapWaits = rf.snapWaits[:0]
		rf.publish()
	}
}

// drain takes the events that are already waiting, up to maxDrain, so
// that one round of persisting and sending covers them all. It polls each
// channel on its own: a non-blocking receive from one channel costs far
// less than a select over all of them, which locks every channel.
func (rf *Raft) drain() {
	for n := 0; n < maxDrain; {
		took := n
		select {
		case <-rf.propc:
		default:
		}
		for ; n < maxDrain; n++ {
			select {
			case in := <-rf.recvc:
				rf.stepInbound(in)
				continue
			default:
			}
			break
		}
		for ; n < maxDrain; n++ {
			select {
			case m := <-rf.respc:
				_ = rf.core.step(m)
				continue
			default:
			}
			break
		}
		for ; n < maxDrain; n++ {
			select {
			case ch := <-rf.readc:
				rf.readBatch = append(rf.readBatch, ch)
				continue
			default:
			}
			break
		}
		if n == took {
			return
		}
	}
}

// fail stops a peer whose storage failed: it must not go on without it.
func (rf *Raft) fail(err error) {
	rf.logger.Error("storage failed; peer stops", "err", err)
	rf.failed.Store(&err)
	rf.killOnce.Do(func() {
		close(rf.done)
		rf.cancel()
	})
}

func (rf *Raft) publish() {
	s := uint64(rf.core.term) << 1
	if rf.core.role == roleLeader {
		s |= 1
	}
	rf.status.Store(s)
}

func (rf *Raft) stepInbound(in inbound) {
	rf.nextRef++
	in.m.Ref = rf.nextRef
	rf.waiting[in.m.Ref] = in.reply
	_ = rf.core.step(in.m)
}

// flushProposals publishes the core's leadership to Start and appends
// every proposal made since the last call as one batch, so that they
// travel in one AppendEntries per follower.
func (rf *Raft) flushProposals() {
	c, p := rf.core, &rf.props
	p.mu.Lock()
	if leader := c.role == roleLeader; leader != p.leader || c.term != p.term {
		// A term began or ended: proposals of the old one are void (as if
		// the old leader had crashed before replicating them).
		p.leader, p.term = leader, c.term
		clear(p.pending)
		p.pending = p.pending[:0]
		p.next = c.log.lastIndex() + 1
	}
	batch := p.pending
	p.pending, p.spare = p.spare[:0], nil
	next := p.next
	p.mu.Unlock()
	if len(batch) == 0 {
		p.mu.Lock()
		p.spare = batch
		p.mu.Unlock()
		return
	}
	ents := make([]Entry, len(batch))
	for i, d := range batch {
		ents[i] = Entry{Data: d}
	}
	if err := c.step(message{Type: msgProp, Entries: ents}); err != nil || c.log.lastIndex() != next-1 {
		panic(fmt.Sprintf("raft: proposals for indices up to %d landed at %d (%v)", next-1, c.log.lastIndex(), err))
	}
	clear(batch)
	p.mu.Lock()
	p.spare = batch[:0]
	p.mu.Unlock()
}

// flushReads starts one read round for every ReadIndex call collected in
// this iteration.
func (rf *Raft) flushReads() {
	if len(rf.readBatch) == 0 {
		return
	}
	rf.readRound++
	rf.readWaits[rf.readRound] = rf.readBatch
	rf.readBatch = nil
	_ = rf.core.step(message{Type: msgReadIndex, Context: rf.readRound})
}

func (rf *Raft) compact(s snapRequest) {
	if err := rf.core.compact(s.index, s.data); err != nil {
		rf.logger.Error("snapshot refused", "err", err)
	}
	rf.snapWaits = append(rf.snapWaits, s)
}

// handleReady persists, sends and applies what the core asks for, in that
// order: nothing leaves the peer before the state it depends on is
// durable.
func (rf *Raft) handleReady() error {
	c := rf.core
	rd := c.ready()
	if rd.snapshot != nil {
		if err := rf.store.SaveSnapshot(rd.snapshot.Index, rd.snapshot.Term, rd.snapshot.Data); err != nil {
			return err
		}
	}
	sync := false
	if rd.entriesIndex != 0 {
		// One buffer holds every encoded entry: the store may keep the
		// slices (until Sync or for good), and nothing reuses the buffer.
		size := 0
		for _, e := range rd.entries {
			size += binary.MaxVarintLen64 + len(e.Data)
		}
		buf := make([]byte, 0, size)
		enc := make([][]byte, len(rd.entries))
		for i, e := range rd.entries {
			start := len(buf)
			buf = appendEntry(buf, e)
			enc[i] = buf[start:len(buf):len(buf)]
		}
		if err := rf.store.AppendLog(rd.entriesIndex, enc); err != nil {
			return err
		}
		sync = true
	}
	if rd.hardState != nil {
		if err := rf.store.SetHardState(rd.hardState.Term, rd.hardState.Vote); err != nil {
			return err
		}
		sync = true
	}
	if sync {
		if err := rf.store.Sync(); err != nil {
			return err
		}
	}
	for _, m := range rd.msgs {
		if m.Ref != 0 {
			if ch, ok := rf.waiting[m.Ref]; ok {
				delete(rf.waiting, m.Ref)
				ch <- m
			}
			continue
		}
		rf.send(m)
	}
	if rd.installSnapshot {
		rf.apply.push(applyItem{snap: rd.snapshot})
	}
	if len(rd.committed) > 0 {
		rf.apply.push(applyItem{index: rd.committedIndex, entries: rd.committed})
	}
	for _, r := range rd.reads {
		for _, ch := range rf.readWaits[r.ctx] {
			ch <- r
		}
		delete(rf.readWaits, r.ctx)
	}
	c.advance(rd)
	return nil
}

// send delivers an outgoing request in its own goroutine, so that a slow
// or unreachable peer never delays anything else, and feeds the response
// (or, for appends and snapshots, the news of its loss) back to the loop.
func (rf *Raft) send(m message) {
	method, args, reply := request(m)
	peer := rf.peers[m.To]
	rf.calls.Add(1)
	go func() {
		defer rf.calls.Done()
		var ok bool
		if cp, isCtx := peer.(contextPeer); isCtx {
			ctx, cancel := context.WithTimeout(rf.ctx, rf.cfg.RPCTimeout)
			ok = cp.CallContext(ctx, method, args, reply) == nil
			cancel()
		} else {
			ok = peer.Call(method, args, reply)
		}
		var resp message
		if ok {
			resp, ok = response(m, reply)
		}
		if !ok {
			if m.Type != msgApp && m.Type != msgSnap {
				return
			}
			resp = message{Type: msgUnreachable, From: m.To, To: m.From}
		}
		select {
		case rf.respc <- resp:
		case <-rf.done:
		}
	}()
}

// applier hands committed entries and installed snapshots to the service,
// in order, without holding any lock while it waits for applyCh.
func (rf *Raft) applier() {
	defer rf.wg.Done()
	for {
		select {
		case <-rf.done:
			return
		case <-rf.apply.signal:
		}
		for _, it := range rf.apply.take() {
			if it.snap != nil {
				msg := ApplyMsg{SnapshotValid: true, Snapshot: it.snap.Data, SnapshotTerm: it.snap.Term, SnapshotIndex: it.snap.Index}
				if !rf.deliver(msg) {
					return
				}
				continue
			}
			for i, e := range it.entries {
				cmd, err := decodeCommand(e.Data)
				if err != nil {
					panic(fmt.Sprintf("raft: peer %d cannot decode the command at index %d (register its type with wire.Register): %v", rf.me, it.index+i, err))
				}
				if !rf.deliver(ApplyMsg{CommandValid: true, Command: cmd, CommandIndex: it.index + i, CommandTerm: e.Term}) {
					return
				}
			}
		}
	}
}

func (rf *Raft) deliver(msg ApplyMsg) bool {
	select {
	case rf.applyCh <- msg:
		return true
	default:
	}
	select {
	case rf.applyCh <- msg:
		return true
	case <-rf.done:
		return false
	}
}
