package raft

import (
	"container/heap"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline/internal/testseed"
)

// -seed (internal/testseed) replays one simulator seed only.
var (
	flagSeeds = flag.Int("seeds", 0, "number of simulator seeds to run (0: a bounded default)")
	flagSteps = flag.Int("steps", 0, "virtual time units per simulator run (0: default)")
	flagTrace = flag.Bool("simtrace", false, "print the simulator trace of a replayed seed")
)

// simStore is a node's durable storage in the simulator: what survives a
// crash.
type simStore struct {
	hs      hardState
	snap    snapshot
	entries []Entry
}

func (s *simStore) last() int { return s.snap.Index + len(s.entries) }

// simNode is one peer: its core (nil while crashed), storage and service.
type simNode struct {
	id      int
	c       *core
	store   simStore
	applied int    // service's last applied index
	hash    uint64 // service state: a hash chain over applied commands
	downAt  int64  // when it crashed
}

// simMsg is a message in flight.
type simMsg struct {
	at  int64
	seq int64
	m   message
	// lost: the request or its response will be lost; the sender hears
	// msgUnreachable when unreachable is set.
	unreachable bool
}

type msgHeap []simMsg

func (h msgHeap) Len() int { return len(h) }
func (h msgHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h msgHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *msgHeap) Push(x any)   { *h = append(*h, x.(simMsg)) }
func (h *msgHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// simParams are the fault rates of one run, drawn from its seed.
type simParams struct {
	n           int
	loss        float64
	dup         float64
	maxDelay    int64
	longDelay   float64 // probability of a delay up to 10x maxDelay
	crashRate   float64 // per time unit
	partRate    float64 // per time unit
	propRate    float64
	readRate    float64
	compactGap  int
	maxInflight int
	maxBytes    int
	readyDefer  float64 // probability a node leaves its ready for later
	preVote     bool
	checkQuorum bool
}

type sim struct {
	t     testing.TB
	seed  uint64
	rng   *rand.Rand
	p     simParams
	cfg   Config
	nodes []*simNode
	now   int64
	seq   int64
	q     msgHeap
	conn  [][]bool
	trace []string
	full  bool // keep the whole trace

	// Global views for the invariants.
	leaders      map[int]int    // term -> leader
	committed    []Entry        // committed[k] is the entry committed at index k (index 0 unused)
	commitTerm   []int          // lowest term in which a node knew committed[k] committed
	hashAt       []uint64       // service hash after applying index k
	maxCommitted int            // highest index known committed anywhere
	readIssued   map[uint64]int // read round -> maxCommitted when issued
	readCtx      uint64
	cmdSeq       int
	stats        struct{ props, commits, reads, crashes, snaps, installs int }
	faulting     bool // faults are being injected (unit's faults)
}

func newSim(t testing.TB, seed uint64) *sim {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	p := simParams{
		n:           3 + rng.IntN(5),
		loss:        []float64{0, 0.02, 0.1, 0.25}[rng.IntN(4)],
		dup:         []float64{0, 0.05, 0.2}[rng.IntN(3)],
		maxDelay:    int64(2 + rng.IntN(30)),
		longDelay:   []float64{0, 0.02, 0.1}[rng.IntN(3)],
		crashRate:   []float64{0, 0.0005, 0.002}[rng.IntN(3)],
		partRate:    []float64{0, 0.0005, 0.002}[rng.IntN(3)],
		propRate:    []float64{0.02, 0.1, 0.4}[rng.IntN(3)],
		readRate:    []float64{0, 0.01, 0.05}[rng.IntN(3)],
		compactGap:  []int{5, 20, 1 << 30}[rng.IntN(3)],
		maxInflight: 1 + rng.IntN(8),
		maxBytes:    []int{1, 40, 1 << 20}[rng.IntN(3)],
		readyDefer:  []float64{0, 0.3, 0.7}[rng.IntN(3)],
		preVote:     rng.IntN(4) != 0,
		checkQuorum: rng.IntN(4) != 0,
	}
	return newSimWith(t, seed, rng, p)
}

// newSimWith starts a simulated cluster with the fault rates p; rng is the
// run's source, seeded with seed.
func newSimWith(t testing.TB, seed uint64, rng *rand.Rand, p simParams) *sim {
	s := &sim{
		t: t, seed: seed, rng: rng, p: p,
		cfg: Config{
			ElectionTick: 10, HeartbeatTick: 3, TickInterval: time.Millisecond, RPCTimeout: time.Second,
			MaxInflight: p.maxInflight, MaxBytesPerMsg: p.maxBytes, Seed: seed,
			PreVote: p.preVote, CheckQuorum: p.checkQuorum,
		},
		leaders:    map[int]int{},
		committed:  []Entry{{}},
		commitTerm: []int{0},
		hashAt:     []uint64{0},
		readIssued: map[uint64]int{},
	}
	s.conn = make([][]bool, p.n)
	for i := range s.conn {
		s.conn[i] = make([]bool, p.n)
		for j := range s.conn[i] {
			s.conn[i][j] = true
		}
	}
	for i := range p.n {
		nd := &simNode{id: i, store: simStore{hs: hardState{Vote: none}}}
		s.nodes = append(s.nodes, nd)
		s.boot(nd)
	}
	return s
}

func (s *sim) logf(format string, args ...any) {
	line := fmt.Sprintf("%6d ", s.now) + fmt.Sprintf(format, args...)
	s.trace = append(s.trace, line)
	if !s.full && len(s.trace) > 400 {
		s.trace = s.trace[len(s.trace)-200:]
	}
}

func (s *sim) fatalf(format string, args ...any) {
	s.t.Helper()
	tail := s.trace
	if len(tail) > 120 && !s.full {
		tail = tail[len(tail)-120:]
	}
	s.t.Fatalf("seed %d (replay: go test -run TestSimulator -seed %d): params %+v\nat time %d: %s\ntrace:\n%s",
		s.seed, s.seed, s.p, s.now, fmt.Sprintf(format, args...), strings.Join(tail, "\n"))
}

// boot starts a node from its durable storage, as after a crash.
func (s *sim) boot(nd *simNode) {
	c, err := newCore(s.cfg, nd.id, s.p.n, nd.store.hs, nd.store.snap, slices.Clone(nd.store.entries))
	if err != nil {
		s.fatalf("boot %d: %v", nd.id, err)
	}
	nd.c = c
	nd.applied = nd.store.snap.Index
	nd.hash = 0
	if nd.store.snap.Index > 0 {
		nd.hash = s.snapHash(nd.store.snap)
	}
}

func encodeSimSnap(index int, hash uint64) []byte {
	b := binary.AppendUvarint(nil, uint64(index))
	return binary.AppendUvarint(b, hash)
}

// snapHash checks a snapshot's data against the global history and returns
// the service state it holds.
func (s *sim) snapHash(sn snapshot) uint64 {
	idx, n := binary.Uvarint(sn.Data)
	h, _ := binary.Uvarint(sn.Data[n:])
	if int(idx) != sn.Index {
		s.fatalf("snapshot at %d holds service state of index %d", sn.Index, idx)
	}
	if sn.Index >= len(s.hashAt) || s.hashAt[sn.Index] != h {
		s.fatalf("snapshot at %d holds a state no service had", sn.Index)
	}
	return h
}

func chain(h uint64, index int, data []byte) uint64 {
	f := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], h)
	binary.LittleEndian.PutUint64(b[8:], uint64(index))
	f.Write(b[:])
	f.Write(data)
	return f.Sum64()
}

func (s *sim) send(m message) {
	s.seq++
	sm := simMsg{seq: s.seq, m: m}
	delay := 1 + s.rng.Int64N(s.p.maxDelay)
	if s.rng.Float64() < s.p.longDelay {
		delay += s.rng.Int64N(10 * s.p.maxDelay)
	}
	sm.at = s.now + delay
	lost := !s.conn[m.From][m.To] || s.rng.Float64() < s.p.loss
	if lost {
		// The request or its response is lost; a request's sender learns of
		// it most of the time, as a failed RPC.
		if (m.Type == msgApp || m.Type == msgSnap) && s.rng.Float64() < 0.8 {
			sm.unreachable = true
			heap.Push(&s.q, sm)
		}
		return
	}
	heap.Push(&s.q, sm)
	if s.rng.Float64() < s.p.dup {
		s.seq++
		d := sm
		d.seq = s.seq
		d.at = s.now + 1 + s.rng.Int64N(s.p.maxDelay)
		heap.Push(&s.q, d)
	}
}

func (s *sim) deliver(sm simMsg) {
	m := sm.m
	if sm.unreachable {
		nd := s.nodes[m.From]
		if nd.c == nil {
			return
		}
		s.logf("%d: unreachable %d", m.From, m.To)
		s.step(nd, message{Type: msgUnreachable, From: m.To, To: m.From})
		return
	}
	nd := s.nodes[m.To]
	if nd.c == nil || !s.conn[m.From][m.To] {
		return
	}
	s.logf("deliver %v", m)
	s.step(nd, m)
}

func (s *sim) step(nd *simNode, m message) {
	if err := nd.c.step(m); err != nil && m.Type != msgProp && !errors.Is(err, errIgnored) {
		s.fatalf("step %v: %v", m, err)
	}
	s.afterStep(nd)
}

// afterStep processes the node's ready (unless deferred) and checks the
// invariants.
func (s *sim) afterStep(nd *simNode) {
	if nd.c.hasReady() && s.rng.Float64() >= s.p.readyDefer {
		s.processReady(nd)
	}
	s.check()
}

// run advances virtual time by steps units with faults, then heals
// everything and checks that the cluster converges.
func (s *sim) run(steps int) {
	const tickEvery = 10
	phase := make([]int64, s.p.n)
	for i := range phase {
		phase[i] = s.rng.Int64N(tickEvery)
	}
	for s.now = 1; s.now <= int64(steps); s.now++ {
		s.unit(phase, tickEvery, true)
	}
	// Heal: reconnect, restart, no more faults; a leader must emerge and
	// every node must catch up.
	s.logf("heal")
	for i := range s.conn {
		for j := range s.conn[i] {
			s.conn[i][j] = true
		}
	}
	for _, nd := range s.nodes {
		if nd.c == nil {
			s.boot(nd)
		}
	}
	s.p.loss, s.p.dup, s.p.longDelay = 0, 0, 0
	// Time to elect a leader, then to ship the backlog one entry per
	// round trip in the worst case.
	backlog := 0
	for _, nd := range s.nodes {
		backlog = max(backlog, nd.c.log.lastIndex()-s.maxCommitted)
	}
	start := s.now
	end := start + 3000 + int64(backlog)*2*s.p.maxDelay
	proposed := false
	for ; s.now <= end; s.now++ {
		s.unit(phase, tickEvery, false)
		if !proposed && s.now > start+500 {
			for _, nd := range s.nodes {
				if nd.c.role == roleLeader {
					s.propose(nd)
					proposed = true
					break
				}
			}
		}
		if proposed && s.converged() {
			return
		}
	}
	var states []string
	for _, nd := range s.nodes {
		states = append(states, fmt.Sprintf("%d:%v t%d commit %d last %d applied %d", nd.id, nd.c.role, nd.c.term, nd.c.log.committed, nd.c.log.lastIndex(), nd.applied))
	}
	s.fatalf("no convergence after healing (proposed %v): %s", proposed, strings.Join(states, "; "))
}

func (s *sim) converged() bool {
	want := len(s.committed) - 1
	for _, nd := range s.nodes {
		if nd.c.log.committed != want || nd.applied != want || nd.c.log.lastIndex() != want {
			return false
		}
	}
	return true
}

func (s *sim) propose(nd *simNode) {
	k := 1 + s.rng.IntN(3)
	ents := make([]Entry, k)
	for i := range ents {
		s.cmdSeq++
		ents[i] = Entry{Data: []byte(fmt.Sprintf("c%d", s.cmdSeq))}
	}
	s.logf("%d: propose %d", nd.id, k)
	s.stats.props += k
	s.step(nd, message{Type: msgProp, Entries: ents})
}

// unit runs one unit of virtual time.
func (s *sim) unit(phase []int64, tickEvery int64, faults bool) {
	s.faulting = faults
	for s.q.Len() > 0 && s.q[0].at <= s.now {
		s.deliver(heap.Pop(&s.q).(simMsg))
	}
	for _, nd := range s.nodes {
		if nd.c != nil && (s.now+phase[nd.id])%tickEvery == 0 {
			nd.c.tick()
			s.afterStep(nd)
		}
	}
	for _, nd := range s.nodes {
		if nd.c != nil && nd.c.hasReady() && s.rng.Float64() < 0.5 {
			s.processReady(nd)
			s.check()
		}
	}
	if faults {
		s.faults()
	} else {
		for _, nd := range s.nodes {
			if nd.c.hasReady() {
				s.processReady(nd)
			}
		}
		s.check()
	}
}

func (s *sim) faults() {
	r := s.rng
	if r.Float64() < s.p.crashRate {
		nd := s.nodes[r.IntN(s.p.n)]
		if nd.c != nil {
			s.logf("%d: crash", nd.id)
			s.stats.crashes++
			nd.c = nil
			nd.downAt = s.now
		}
	}
	for _, nd := range s.nodes {
		if nd.c == nil && s.now-nd.downAt > 50 && r.Float64() < 0.01 {
			s.logf("%d: restart", nd.id)
			s.boot(nd)
		}
	}
	if r.Float64() < s.p.partRate {
		switch r.IntN(3) {
		case 0: // heal
			s.logf("heal partitions")
			for i := range s.conn {
				for j := range s.conn[i] {
					s.conn[i][j] = true
				}
			}
		case 1: // split in two
			side := make([]bool, s.p.n)
			for i := range side {
				side[i] = r.IntN(2) == 0
			}
			s.logf("partition %v", side)
			for i := range s.conn {
				for j := range s.conn[i] {
					s.conn[i][j] = side[i] == side[j]
				}
			}
		case 2: // one directed link down
			i, j := r.IntN(s.p.n), r.IntN(s.p.n)
			s.logf("link %d->%d down", i, j)
			s.conn[i][j] = false
		}
	}
	if r.Float64() < s.p.propRate {
		nd := s.nodes[r.IntN(s.p.n)]
		if nd.c != nil && nd.c.role == roleLeader {
			s.propose(nd)
		}
	}
	if r.Float64() < s.p.readRate {
		nd := s.nodes[r.IntN(s.p.n)]
		if nd.c != nil {
			s.readCtx++
			s.readIssued[s.readCtx] = s.maxCommitted
			s.logf("%d: read %d", nd.id, s.readCtx)
			s.step(nd, message{Type: msgReadIndex, Context: s.readCtx})
		}
	}
	for _, nd := range s.nodes {
		if nd.c != nil && nd.applied-nd.c.log.snap.Index >= s.p.compactGap && nd.applied == nd.c.log.applied && r.Float64() < 0.05 {
			if err := nd.c.compact(nd.applied, encodeSimSnap(nd.applied, nd.hash)); err != nil {
				s.fatalf("compact: %v", err)
			}
			s.stats.snaps++
			s.logf("%d: snapshot at %d", nd.id, nd.applied)
			s.afterStep(nd)
		}
	}
}

// TestSimulator runs the core through random clusters, faults and
// workloads in virtual time, checking the safety invariants after every
// step and convergence after healing. -seed replays one seed; -seeds runs
// more.
func TestSimulator(t *testing.T) {
	steps := 4000
	if *flagSteps > 0 {
		steps = *flagSteps
	}
	if seed, ok := testseed.Flag(); ok {
		s := newSim(t, seed)
		s.full = *flagTrace
		s.run(steps)
		if *flagTrace {
			t.Log(strings.Join(s.trace, "\n"))
		}
		t.Logf("seed %d: %+v stats %+v", seed, s.p, s.stats)
		return
	}
	seeds := 60
	if *flagSeeds > 0 {
		seeds = *flagSeeds
	}
	base := uint64(time.Now().UnixNano())
	var total struct{ props, commits, reads, crashes, snaps, installs int }
	for i := range seeds {
		seed := base + uint64(i)
		s := newSim(t, seed)
		s.run(steps)
		total.props += s.stats.props
		total.commits += s.stats.commits
		total.reads += s.stats.reads
		total.crashes += s.stats.crashes
		total.snaps += s.stats.snaps
		total.installs += s.stats.installs
	}
	t.Logf("%d seeds from %d: %+v", seeds, base, total)
	if total.commits == 0 || total.installs == 0 || total.reads == 0 || total.crashes == 0 {
		t.Errorf("the simulator did not exercise everything: %+v", total)
	}
}
