package raft

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
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
// core and the storage, and the one calling the Service) and one goroutine
// per RPC in flight (plus ApplyChannel's feeder, for the course's API).
type Raft struct {
	me        int
	peers     []Peer
	persister Persister
	store     LogStore
	svc       Service
	cfg       Config
	logger    *slog.Logger

	// mu is the peer's lock (direct.go): it guards core, store and the
	// fields below marked as the loop's.
	mu   sync.Mutex
	core *core

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
	refused  atomic.Uint64

	status atomic.Uint64 // term<<1 | isLeader, published by run

	props proposals
	// propsOpen says whether a proposal would leave at once (the peer
	// does not lead, or a follower can take an append): only then does
	// Start wake the loop for it.
	propsOpen atomic.Bool

	// The loop's, under mu.
	nextRef   uint64
	waiting   map[uint64]chan message
	readBatch []chan readResult
	readRound uint64
	readWaits map[uint64][]chan readResult
	snapWaits []snapRequest
	applied   []ApplyMsg // reused for each Service.Apply

	// Background sync (bgsync.go); the loop's, under mu.
	bgSync   bool // the store syncs in background and the cluster has peers
	syncReq  chan syncJob
	syncedc  chan syncJob
	syncBusy bool
	syncWant int
	syncGen  uint64
	durable  int       // last log index known durable here
	held     []message // acknowledgements waiting for durable
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
	rf, err := New(peers, me, persister, ApplyChannel(applyCh), DefaultConfig())
	if err != nil {
		panic(err)
	}
	return rf
}

// New is Make with an explicit configuration and a Service in place of the
// apply channel (ApplyChannel turns a channel into one). If persister also
// implements LogStore, the log is written through it incrementally;
// otherwise the whole state is saved as one blob on every change.
func New(peers []Peer, me int, persister Persister, svc Service, cfg Config) (*Raft, error) {
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
		svc:       svc,
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
		waiting:   map[uint64]chan message{},
		readWaits: map[uint64][]chan readResult{},
	}
	rf.status.Store(rf.coreStatus())
	rf.propsOpen.Store(true)
	rf.durable = c.log.lastIndex()
	if bs, ok := store.(backgroundSyncer); ok && bs.SyncsInBackground() && len(peers) > 1 {
		rf.bgSync = true
		rf.syncReq = make(chan syncJob, 1)
		rf.syncedc = make(chan syncJob, 1)
		rf.wg.Add(1)
		go rf.syncer()
	}
	rf.wg.Add(1)
	go rf.run()
	if r, ok := svc.(runner); ok {
		rf.wg.Add(1)
		go func() {
			defer rf.wg.Done()
			r.run(rf.done)
		}()
	}
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
	if rf.propsOpen.Load() {
		select {
		case rf.propc <- struct{}{}:
		default:
		}
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

// Kill stops the peer: its loop and ticker stop, RPC handlers
// return empty replies and calls in flight are abandoned (cancelled when
// the peer end implements CallContext). It returns once the peer's own
// goroutines have exited; it is safe to call more than once.
func (rf *Raft) Kill() {
	rf.killOnce.Do(func() { close(rf.done) })
	// A peer that stopped on its own may still be saying farewell
	// (farewell.go): Kill abandons that too.
	rf.cancel()
	// Whoever steps an event holds mu and checks done first: once the
	// holder at this point lets go, nothing touches the core or the
	// storage again.
	rf.mu.Lock()
	//lint:ignore SA2001 the empty critical section waits for the holder.
	rf.mu.Unlock()
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
// peer is dead, the request is malformed (counted in Refused) or it is a
// vote request ignored under leader stickiness.
func (rf *Raft) handle(m message) (message, bool) {
	if rf.killed() {
		return message{}, false
	}
	if m.From < 0 || m.From >= len(rf.peers) || m.From == rf.me {
		rf.refuse(m.From, fmt.Errorf("%w: %v from unknown peer %d", errMalformed, m.Type, m.From))
		return message{}, false
	}
	in := inbound{m: m, reply: make(chan message, 1)}
	// A peer whose writes cost an fsync leaves requests to the loop,
	// which runs a follower's fsyncs back to back: the appends that arrive
	// during one are synced by the next without a goroutine waking in
	// between.
	if rf.bgSync || !rf.direct(func() error { rf.stepInbound(in); return nil }) {
		select {
		case rf.recvc <- in:
		case <-rf.done:
			return message{}, false
		}
	}
	select {
	case resp, ok := <-in.reply:
		return resp, ok
	case <-rf.done:
		return message{}, false
	}
}
