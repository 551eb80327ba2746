// Package raft is Faultline's Raft (Ongaro and Ousterhout, "In Search of an
// Understandable Consensus Algorithm"), with the API of the MIT 6.824
// course's Raft lab: Make, Start, GetState, Snapshot, Kill and an apply
// channel of ApplyMsg, and RPC handlers "Raft.RequestVote",
// "Raft.AppendEntries" and "Raft.InstallSnapshot" on *Raft, for any
// transport whose client end has Call(svcMeth, args, reply) bool.
//
// # Structure
//
// The protocol lives in a deterministic core (core.go, election.go,
// check.go, log.go, progress.go, read.go, ready.go): a state machine moved only by step (a message) and
// tick (logical time). Through ready it asks for the hard state and log
// suffix to persist, the messages to send, the entries to apply and the
// results of reads; advance acknowledges them. It has no goroutines,
// clocks or I/O, and draws election timeouts from a source seeded by
// Config.Seed, so the seeded simulator in sim_test.go replays any run
// exactly (go test -run TestSimulator -seed N).
//
// The driver (driver.go, loop.go, direct.go, bgsync.go, farewell.go)
// holds every goroutine: an event loop, one goroutine carrying each RPC in flight (a
// slow or unreachable peer delays nobody else), and with a
// background-syncing store a syncer goroutine running a leader's fsyncs.
// One lock guards the core and the storage. Whoever holds it steps events
// and then does the work they lead to: the loop for ticks, proposals,
// snapshots and reads, and a request's handler, an RPC's response or a
// finished sync on its own goroutine when the lock is free (they reach
// the loop only when it is busy, so an append costs a follower no
// goroutine hand-off of its own). That work takes every event that is
// waiting before it acts: proposals made meanwhile travel in one
// AppendEntries per follower, one storage Sync covers everything written
// (group commit), and a response leaves only once what it acknowledges is
// persisted. A leader none of whose followers can take an append holds
// new proposals back, so that those made until one answers join one
// batch. Start does not wait for the loop: it takes the next index under
// a small mutex that the loop keeps in step with the core's term and
// leadership.
//
// The loop drives the replicated service through the Service interface
// (apply.go): it applies each batch's committed entries, then reports
// any change of term or leadership as an event (Lead), so a service never
// polls GetState and sees the entries committed before a change before the
// change itself. Make's apply channel is one such Service (ApplyChannel): a
// queue fed by the loop and drained into the channel by a goroutine of its
// own, so the loop never waits for the receiver; system/rsm is the other.
//
// The RPC arguments and replies of AppendEntries and RequestVote encode
// and decode themselves (rpcwire.go: wire.Appender and wire.Decoder, the
// same msgpack bytes reflection writes), and a server may register the
// three handlers as typed functions (transport.RegisterFunc, as the
// benchmarks do) rather than by reflection (transport.Server.Register).
//
// The package imports transport/wire, internal/names and the standard
// library only (its tests also use transport, transport/simnet,
// transport/tcp and system/storage, and its ratio benchmark the two Raft
// libraries it is measured against, hashicorp/raft and go.etcd.io/raft/v3);
// it never imports a service or system/backend.
//
// # Protocol details
//
// A leader replicates to each follower in one of three modes: probing (one
// append in flight until the follower's position is known), replicating
// (appends pipelined, up to Config.MaxInflight in flight) and snapshot (an
// InstallSnapshot in flight). Rejections carry a conflict term and index,
// so a leader skips a whole term per round trip. Only entries of the
// current term are committed by counting replicas (§5.4.2). Idle leaders
// send a heartbeat every Config.HeartbeatTick ticks (100 ms by default),
// anchored at the follower's known match index, which also carries the
// commit index; election timeouts are drawn from [ElectionTick,
// 2*ElectionTick) ticks (300-600 ms by default). There is no no-op entry
// at the start of a term: the course's tests expect the first command at
// index 1.
//
// Pipelined appends can overtake one another (concurrent calls, several
// connections, handlers run in parallel). A follower holds an append that
// arrives before the entries it follows, unanswered, for up to a heartbeat
// interval instead of refusing it and tearing the pipeline down. A leader
// whose appends go unanswered while heartbeats get through (calls that
// never return) presumes them lost and probes again.
//
// # Elections: PreVote, CheckQuorum, bounds
//
// With Config.PreVote (on by default, and in Make) a peer whose election
// timeout expires first runs a pre-vote round (§9.6 of Ongaro's thesis):
// it asks whether its peers would vote for it in the next term, changing
// no term and recording no vote, and campaigns only after a quorum says
// yes. A peer cut off from the others therefore keeps its term, and
// cannot depose the leader when it returns. With Config.CheckQuorum (on by
// default) a leader that has not heard from a quorum within ElectionTick
// ticks steps down (so an isolated leader steps down within 2*ElectionTick
// ticks of losing its quorum), and any peer that heard from a live leader
// within ElectionTick ticks ignores (pre-)vote requests of later terms,
// leaving them unanswered (leader stickiness, as in etcd's Raft).
//
// Every message from a peer is checked before it touches any state
// (check.go): terms within [0, maxTerm] and indices within [0, maxIndex]
// (2^62-1 on 64-bit platforms, so no term or index arithmetic can
// overflow), a log term and entry terms no greater than the message's
// term, entries in term order, a sender inside the cluster. A message that
// fails is dropped unanswered and counted (Raft.Refused). So is an append
// to a leader at its own term, and one that would replace a committed
// entry: honest peers never send them. A peer whose term reached maxTerm
// no longer campaigns, and a persisted term beyond it does not load.
//
// # Poison entries
//
// The driver decodes every command of an incoming AppendEntries before
// the core sees it, and refuses (with an empty reply, counted in Refused)
// an append whose commands do not decode: nothing undecodable reaches the
// log from a peer. A committed entry that still cannot be applied (its
// command does not decode, or the Service's Apply returns an error, which
// should be an *ApplyError) stops the peer: the entries before it are
// applied, the error names the index and the cause, it is logged (to
// slog.Default when Config.Logger is nil), Raft.Err returns it and
// Raft.Stopped's channel closes. It never panics and never skips the
// entry, which every other replica applies. A restarted peer stops again,
// with the same error, once it learns the entry committed: it does not
// crash in a loop. A leader that stops this way first sends each follower
// the log up to the commit index and the commit index (farewell.go), and
// abandons its calls only once those are answered, so that its followers
// stop on the same entry without waiting for a new leader. A service
// whose own persisted state does not load uses Halted, a peer stopped
// from the start with the reason (system/rsm does).
//
// # Persistence
//
// A Persister in the course's shape stores the state as one blob
// (currentTerm, votedFor, the snapshot's index and term, then the log
// entries), rewritten on each change. If the Persister also implements
// LogStore, Raft writes through it incrementally instead: MemoryPersister
// does so in memory, and system/storage's FilePersister with a
// checksummed write-ahead log and group-committed fsyncs. A restarted
// peer starts from its persisted state; the service restores its own from
// the persister's snapshot, and committed entries after the snapshot are
// applied again.
//
// A leader writes its log in parallel with replicating it (§10.2.1 of
// Ongaro's thesis): its appends leave before its own write, and committed
// entries it already holds durably are applied before the write too. With
// a store whose Sync is slow and may run concurrently (FilePersister
// without NoSync), the leader hands its fsync to a syncer goroutine and
// goes on stepping responses and proposals; acknowledgements of entries
// beyond what it holds durably wait for the sync, so it never commits or
// applies what a crash could take from it (bgsync.go). Followers always
// persist before they acknowledge.
//
// # Reads
//
// ReadIndex serves linearizable reads without writing the log (§6.4 of
// Ongaro's thesis): the leader confirms with one heartbeat round answered
// by a quorum that it still leads, and returns the commit index the read
// must wait for. Reads made at the same time share one round.
package raft
