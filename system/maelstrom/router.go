package maelstrom

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"faultline/transport"
)

// RouterConfig configures a Router. The zero value is a healthy network
// with no base latency and no journal.
type RouterConfig struct {
	// Seed seeds every random draw of the link faults, so that a seed
	// replays a run's fault decisions for the same sequence of sends.
	Seed int64
	// Latency is the base one-way latency of every message (Maelstrom's
	// --latency), added to the delay its link's faults give it. Negative
	// means zero.
	Latency time.Duration
	// JournalWindow records every message sent in the first
	// JournalWindow of the router's life (see Journal). Zero records
	// nothing.
	JournalWindow time.Duration
	// JournalLimit bounds the journal's entries; zero means
	// DefaultJournalLimit. Messages beyond it are counted in
	// NetStats.JournalOmitted.
	JournalLimit int
	// MaxInFlight bounds the messages (copies) one sender may have on
	// their way at once; beyond it the router drops its messages as
	// DropOverload, so that a node flooding the network under long delays
	// cannot grow the router's memory without bound. Zero means
	// DefaultMaxInFlight.
	MaxInFlight int
	// Logger receives the router's warnings (messages to unknown ids);
	// nil discards them.
	Logger *slog.Logger
	// LogSend and LogRecv log every message as it is sent and as it is
	// delivered (Maelstrom's --log-net-send and --log-net-recv): a line
	// each on NetLog, written by a goroutine of the log's own behind a
	// bounded queue (see NetLogQueue, NetLogBody), so that logging never
	// blocks the router. Off, they cost the router nothing.
	LogSend, LogRecv bool
	// NetLog receives the message log; nil is os.Stderr.
	NetLog io.Writer
}

// DefaultMaxInFlight is RouterConfig.MaxInFlight's default: far above what
// a well-behaved node has in flight, far below what exhausts memory.
const DefaultMaxInFlight = 1 << 16

// maxWarned bounds how many (src, dest) pairs with an unknown dest the
// router logs individually; later ones are only counted.
const maxWarned = 1000

// Router is the simulated network between Maelstrom endpoints: nodes,
// clients and services attached by id. Send routes a message over the
// directed link src -> dest, under that link's faults (Faults), after the
// base latency, and delivers it asynchronously from one scheduler
// goroutine; copies due at the same time reach a destination in the order
// they were sent. It counts everything in Stats and records the first
// JournalWindow in Journal. It is safe for concurrent use; endpoints may
// Send from within Deliver.
type Router struct {
	cfg   RouterConfig
	log   *slog.Logger
	start time.Time
	sched *scheduler

	mu      sync.Mutex // guards everything below
	eps     map[string]Endpoint
	links   map[link]*linkState
	rng     *rand.Rand
	stats   counters
	journal journal
	nlog    *netLog // nil unless LogSend or LogRecv
	warned  map[link]struct{}
	types   map[string]string // interned body types
	flying  map[string]int    // copies in flight by sender
	closed  bool

	// epsBuf and fateBuf are the scheduler goroutine's scratch slices.
	epsBuf  []Endpoint
	fateBuf []DropCause
}

var _ Sender = (*Router)(nil)

// NewRouter starts a router with no endpoints and healthy links. Close
// stops it.
func NewRouter(cfg RouterConfig) *Router {
	cfg.Latency = max(cfg.Latency, 0)
	if cfg.JournalLimit <= 0 {
		cfg.JournalLimit = DefaultJournalLimit
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := uint64(cfg.Seed)
	r := &Router{
		cfg:    cfg,
		log:    log,
		start:  time.Now(),
		eps:    map[string]Endpoint{},
		links:  map[link]*linkState{},
		rng:    rand.New(rand.NewPCG(s, s^0x5bd1e9955bd1e995)),
		stats:  counters{byType: map[string]*Traffic{}},
		warned: map[link]struct{}{},
		types:  map[string]string{},
		flying: map[string]int{},
	}
	r.journal = journal{until: r.start.Add(cfg.JournalWindow), limit: cfg.JournalLimit}
	if cfg.NetLog == nil {
		cfg.NetLog = os.Stderr
	}
	r.nlog = newNetLog(cfg, cfg.NetLog)
	r.sched = newScheduler(r.start, r.deliver)
	return r
}

// ErrDuplicateID is returned by Attach for an id already attached.
var ErrDuplicateID = errors.New("endpoint id already attached")

// Attach adds an endpoint under its id, which must be non-empty and not
// attached already.
func (r *Router) Attach(ep Endpoint) error {
	id := ep.ID()
	if id == "" {
		return errors.New("maelstrom router: attach: empty endpoint id")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.eps[id]; ok {
		return fmt.Errorf("maelstrom router: attach %s: %w", id, ErrDuplicateID)
	}
	r.eps[id] = ep
	return nil
}

// Detach removes the endpoint with id, if any. Messages to it that are
// still on their way are dropped as to an unknown dest, unless an
// endpoint is attached under that id again before they arrive.
func (r *Router) Detach(id string) {
	r.mu.Lock()
	delete(r.eps, id)
	r.mu.Unlock()
}

// Faults returns the router's link-fault table, keyed by endpoint ids. It
// also implements transport.FaultSupport (every field but Conn).
func (r *Router) Faults() transport.LinkFaulter { return r }

// Start is the router's start: the journal window opens then.
func (r *Router) Start() time.Time { return r.start }

// Send implements Sender: it routes m over the link m.Src -> m.Dest. A
// message to an id no endpoint has is dropped and counted, logged once
// per (src, dest); if it was a client's request, the client gets
// Maelstrom's node-not-found error back. Sends after Close are ignored.
// The router reads m.Body but never changes it; recipients of a
// duplicated message share one Body.
func (r *Router) Send(m Message) {
	p := peekBody(m.Body) // a body without a type is routed all the same
	size := wireSize(&m)
	class := classify(m.Src, m.Dest)
	now := time.Now()

	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	typ := r.intern(p.typ)
	r.stats.sent(class, typ, size)
	entry := r.record(now, &m, &p, typ, false)
	if _, ok := r.eps[m.Dest]; !ok {
		r.stats.dropped(class, typ, DropUnknownDest)
		r.journal.dropped(entry, DropUnknownDest)
		warn := r.warnOnce(m.Src, m.Dest)
		r.mu.Unlock()
		r.logSend(now, &m, DropUnknownDest, false)
		if warn {
			r.log.Warn("maelstrom router: message to unknown node dropped", "src", m.Src, "dest", m.Dest, "type", typ)
		}
		if isClient(m.Src) && p.hasMsgID && !p.hasReplyTo {
			h := p.header(typ)
			r.Send(Message{Src: m.Dest, Dest: m.Src,
				Body: ErrorReply(h.MsgID, CodeNodeNotFound, "node "+m.Dest+" does not exist")})
		}
		return
	}
	ft := r.decide(r.links[link{m.Src, m.Dest}], now, size)
	copies := 1
	if ft.dup {
		copies = 2
	}
	if ft.drop == "" && r.flying[m.Src]+copies > r.cfg.MaxInFlight {
		ft.drop = DropOverload
	}
	if ft.drop != "" {
		r.stats.dropped(class, typ, ft.drop)
		r.journal.dropped(entry, ft.drop)
		r.mu.Unlock()
		r.logSend(now, &m, ft.drop, false)
		return
	}
	r.flying[m.Src] += copies
	dupEntry := -1
	if ft.dup {
		r.stats.duplicated(class, typ)
		dupEntry = r.record(now, &m, &p, typ, true)
	}
	r.mu.Unlock()
	r.logSend(now, &m, "", ft.dup)

	due := int64(now.Sub(r.start) + r.cfg.Latency)
	r.sched.push(flight{due: due + int64(ft.delay), msg: m, typ: typ, class: class, entry: entry})
	if ft.dup {
		r.sched.push(flight{due: due + int64(ft.dupDelay), msg: m, typ: typ, class: class, entry: dupEntry})
	}
}

// logSend logs a send of m, if the router logs sends: its fate, or dup
// when it goes out twice.
func (r *Router) logSend(now time.Time, m *Message, fate DropCause, dup bool) {
	if r.nlog != nil && r.nlog.send {
		r.nlog.add(now.Sub(r.start), false, m, fate, dup)
	}
}

// maxTypes bounds the body types a router interns (see intern).
const maxTypes = 4096

// intern returns b as a string, allocating only the first time a router
// sees a type (up to maxTypes of them). r.mu is held.
func (r *Router) intern(b []byte) string {
	if s, ok := r.types[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.types) < maxTypes {
		r.types[s] = s
	}
	return s
}

// record adds a message copy to the journal if the window wants it and
// returns its index (or -1). r.mu is held.
func (r *Router) record(now time.Time, m *Message, p *peeked, typ string, dup bool) int {
	if !now.Before(r.journal.until) {
		return -1
	}
	h := p.header(typ)
	idx, full := r.journal.add(now, m, &h, dup)
	if full {
		r.stats.journalOmitted++
	}
	return idx
}

// warnOnce reports whether a message src -> dest to an unknown dest should
// be logged: the first time for the pair, for up to maxWarned pairs (the
// last of which says that no more will be). r.mu is held.
func (r *Router) warnOnce(src, dest string) bool {
	k := link{src, dest}
	if _, ok := r.warned[k]; ok || len(r.warned) >= maxWarned {
		return false
	}
	r.warned[k] = struct{}{}
	if len(r.warned) == maxWarned {
		r.log.Warn("maelstrom router: further unknown destinations are counted, not logged", "pairs", maxWarned)
	}
	return true
}

// deliver hands a batch of due copies to their endpoints. It runs on the
// scheduler goroutine only, and calls Deliver without holding r.mu so
// that endpoints may Send from it.
func (r *Router) deliver(batch []flight) {
	eps, fates := r.epsBuf[:0], r.fateBuf[:0]
	r.mu.Lock()
	for i := range batch {
		eps = append(eps, r.eps[batch[i].msg.Dest])
	}
	r.mu.Unlock()
	now := time.Now()
	for i, ep := range eps {
		switch {
		case ep == nil:
			fates = append(fates, DropUnknownDest)
		case !ep.Deliver(batch[i].msg):
			fates = append(fates, DropSlowEndpoint)
		default:
			fates = append(fates, "")
		}
	}
	var unknown []link
	r.mu.Lock()
	for i, drop := range fates {
		f := &batch[i]
		if n := r.flying[f.msg.Src] - 1; n > 0 {
			r.flying[f.msg.Src] = n
		} else {
			delete(r.flying, f.msg.Src)
		}
		if drop == "" {
			r.stats.delivered(f.class, f.typ)
			r.journal.delivered(f.entry, now)
			if r.nlog != nil && r.nlog.recv {
				r.nlog.add(now.Sub(r.start), true, &f.msg, "", false)
			}
			continue
		}
		r.stats.dropped(f.class, f.typ, drop)
		r.journal.dropped(f.entry, drop)
		if drop == DropUnknownDest && r.warnOnce(f.msg.Src, f.msg.Dest) {
			unknown = append(unknown, link{f.msg.Src, f.msg.Dest})
		}
	}
	r.mu.Unlock()
	for _, k := range unknown {
		r.log.Warn("maelstrom router: message to a node detached before delivery dropped", "src", k.from, "dest", k.to)
	}
	clear(eps)
	r.epsBuf, r.fateBuf = eps, fates
}

// Stats returns a copy of the network statistics so far.
func (r *Router) Stats() NetStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats.snapshot()
}

// Journal returns a copy of the journal so far: every message copy sent
// in the first JournalWindow (up to JournalLimit), in send order.
func (r *Router) Journal() []JournalEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.journal.entries)
}

// NetLogDropped is the number of message log lines dropped because the
// log's writer fell NetLogQueue lines behind.
func (r *Router) NetLogDropped() int64 {
	if r.nlog == nil {
		return 0
	}
	return r.nlog.dropped.Load()
}

// Close stops delivering; messages still on their way are discarded and
// later Sends ignored. Stats and Journal stay readable. The message log
// is written out (for at most a couple of seconds) and stops.
func (r *Router) Close() {
	r.mu.Lock()
	already := r.closed
	r.closed = true
	r.mu.Unlock()
	r.sched.close()
	if r.nlog != nil && !already {
		r.nlog.close()
	}
}

// wireSize is the size of m as one line of JSON (ids unescaped).
func wireSize(m *Message) int {
	const frame = len(`{"src":"","dest":"","body":}`) + 1 // and the newline
	return frame + len(m.Src) + len(m.Dest) + len(m.Body)
}
