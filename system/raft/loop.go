package raft

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// maxDrain bounds the events one loop iteration takes before acting.
const maxDrain = 512

// run is the event loop. It waits for events (ticks, proposals, incoming
// requests, responses, snapshots, reads, background syncs) and steps each
// under the peer's lock, then persists, sends and applies what the core
// asks for in one batch (process), so one Sync covers everything that
// arrived meanwhile. Requests and responses are stepped by the goroutine
// that brings them when the lock is free (direct.go): they reach the loop
// only when it is busy.
func (rf *Raft) run() {
	defer rf.wg.Done()
	ticker := time.NewTicker(rf.cfg.TickInterval)
	defer ticker.Stop()
	for {
		var err error
		ticked := false
		select {
		case <-rf.done:
			return
		case <-ticker.C:
			if !rf.lockLive() {
				return
			}
			rf.core.tick()
			ticked = true
		case <-rf.propc:
			if !rf.lockLive() {
				return
			}
		case in := <-rf.recvc:
			if !rf.lockLive() {
				return
			}
			rf.stepInbound(in)
		case m := <-rf.respc:
			if !rf.lockLive() {
				return
			}
			rf.stepResponse(m)
		case s := <-rf.snapc:
			if !rf.lockLive() {
				return
			}
			rf.compact(s)
		case ch := <-rf.readc:
			if !rf.lockLive() {
				return
			}
			rf.queueRead(ch)
		case j := <-rf.syncedc:
			if !rf.lockLive() {
				return
			}
			err = rf.syncDone(j)
		}
		if err == nil {
			err = rf.process(ticked)
		}
		if err != nil {
			rf.fail(err)
		}
		rf.mu.Unlock()
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
		n = drainChan(rf.recvc, n, rf.stepInbound)
		n = drainChan(rf.respc, n, rf.stepResponse)
		n = drainChan(rf.readc, n, rf.queueRead)
		if n == took {
			return
		}
	}
}

// drainChan takes the values waiting on ch, without blocking, handing each
// to f, while n (the count of events taken so far) is below maxDrain; it
// returns the new count.
func drainChan[T any](ch <-chan T, n int, f func(T)) int {
	for ; n < maxDrain; n++ {
		select {
		case v := <-ch:
			f(v)
			continue
		default:
		}
		break
	}
	return n
}

func (rf *Raft) stepResponse(m message) {
	if !rf.holdAck(m) {
		_ = rf.stepPeer(m)
	}
}

func (rf *Raft) queueRead(ch chan readResult) { rf.readBatch = append(rf.readBatch, ch) }

// coreStatus packs the core's term and leadership as status holds them.
func (rf *Raft) coreStatus() uint64 {
	s := uint64(rf.core.term) << 1
	if rf.core.role == roleLeader {
		s |= 1
	}
	return s
}

// publish makes the core's term and leadership visible to GetState and,
// when either changed, reports them to the Service: the leadership event.
func (rf *Raft) publish() {
	s := rf.coreStatus()
	if rf.status.Swap(s) != s {
		rf.svc.Lead(int(s>>1), s&1 == 1)
	}
}

// stepInbound steps a request from a peer. One the core drops (malformed,
// or a vote ignored under leader stickiness) is answered at once with no
// reply.
func (rf *Raft) stepInbound(in inbound) {
	rf.nextRef++
	in.m.Ref = rf.nextRef
	rf.waiting[in.m.Ref] = in.reply
	if err := rf.stepPeer(in.m); err != nil {
		delete(rf.waiting, in.m.Ref)
		close(in.reply)
	}
}

// stepPeer steps a message from a peer, counting it in Refused when the
// core finds it malformed.
func (rf *Raft) stepPeer(m message) error {
	err := rf.core.step(m)
	if errors.Is(err, errMalformed) {
		rf.refuse(m.From, err)
	}
	return err
}

// flushProposals publishes the core's leadership to Start and appends
// every proposal made since the last call as one batch, so that they
// travel in one AppendEntries per follower. While no follower can take an
// append it leaves them waiting, except on a tick (force), so that a
// leader cut off from its followers still logs its proposals.
func (rf *Raft) flushProposals(force bool) {
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
	if !force && !c.sendsAppendNow() {
		p.mu.Unlock()
		return
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
// durable. Two things go ahead of the write: a leader's requests
// (ready.leaderEarly), and the committed entries this peer already holds
// durably.
func (rf *Raft) handleReady() error {
	c := rf.core
	rd := c.ready()
	early := rd.leaderEarly(c)
	if early {
		for _, m := range rd.msgs {
			if m.Ref == 0 {
				rf.send(m)
			}
		}
	}
	// Committed entries already durable here (below those this ready
	// writes) are applied at once, while the writes are made durable: a
	// proposer learns that its command is applied without waiting for the
	// next batch's fsync.
	now := 0
	if rd.snapshot == nil {
		now = len(rd.committed)
		if rd.entriesIndex != 0 {
			now = max(0, min(now, rd.entriesIndex-rd.committedIndex))
		}
	}
	if err := rf.applyReady(nil, rd.committedIndex, rd.committed[:now]); err != nil {
		return err
	}
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
	switch {
	case sync && early && rf.bgSync:
		rf.startSync(c.log.lastIndex())
	case sync:
		if err := rf.store.Sync(); err != nil {
			return err
		}
		rf.synced()
	}
	for _, m := range rd.msgs {
		if m.Ref != 0 {
			if ch, ok := rf.waiting[m.Ref]; ok {
				delete(rf.waiting, m.Ref)
				ch <- m
			}
			continue
		}
		if !early {
			rf.send(m)
		}
	}
	var install *snapshot
	if rd.installSnapshot {
		install = rd.snapshot
	}
	if err := rf.applyReady(install, rd.committedIndex+now, rd.committed[now:]); err != nil {
		return err
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
	rf.calls.Add(1)
	go func() {
		defer rf.calls.Done()
		resp, ok := rf.call(m)
		if !ok {
			if m.Type != msgApp && m.Type != msgSnap {
				return
			}
			resp = message{Type: msgUnreachable, From: m.To, To: m.From}
		}
		if rf.direct(func() error { rf.stepResponse(resp); return nil }) {
			return
		}
		select {
		case rf.respc <- resp:
		case <-rf.done:
		}
	}()
}

// call makes the RPC for request m, bounded by Config.RPCTimeout and
// abandoned when rf.ctx ends, and returns the response; ok is false when
// no reply came.
func (rf *Raft) call(m message) (resp message, ok bool) {
	method, args, reply := request(m)
	peer := rf.peers[m.To]
	if cp, isCtx := peer.(contextPeer); isCtx {
		ctx, cancel := context.WithTimeout(rf.ctx, rf.cfg.RPCTimeout)
		ok = cp.CallContext(ctx, method, args, reply) == nil
		cancel()
	} else {
		ok = peer.Call(method, args, reply)
	}
	if !ok {
		return message{}, false
	}
	return response(m, reply)
}

// applyReady hands the Service the snapshot to install, if any, then the
// committed entries ents, the first at index first, in log order. It
// returns an *ApplyError for an entry whose command does not decode (after
// applying those before it), or the error the Service's Apply returned;
// the peer then stops.
func (rf *Raft) applyReady(install *snapshot, first int, ents []Entry) error {
	msgs := rf.applied[:0]
	if install != nil {
		msgs = append(msgs, ApplyMsg{SnapshotValid: true, Snapshot: install.Data, SnapshotTerm: install.Term, SnapshotIndex: install.Index})
	}
	var err error
	for i, e := range ents {
		cmd, derr := decodeCommand(e.Data)
		if derr != nil {
			// Apply what comes before, then stop.
			err = &ApplyError{Index: first + i, Err: fmt.Errorf("the command does not decode (is its type registered with wire.Register?): %w", derr)}
			break
		}
		msgs = append(msgs, ApplyMsg{CommandValid: true, Command: cmd, CommandIndex: first + i, CommandTerm: e.Term})
	}
	if len(msgs) > 0 {
		if aerr := rf.svc.Apply(msgs); aerr != nil {
			err = aerr
		}
	}
	clear(msgs)
	rf.applied = msgs[:0]
	return err
}
