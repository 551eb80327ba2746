// Package rsm runs a deterministic state machine on Raft: the one
// replicated-state-machine driver of Faultline's services (kvraft, the
// shard controller and the sharded KV groups).
//
// A service hands New its StateMachine. The RSM is the Raft peer's
// raft.Service: Raft's event loop applies committed entries through it, in
// log order, and reports every change of term or leadership to it as an
// event (Lead), in order with the entries; nothing polls GetState. Submit
// proposes a command and waits until that very entry is applied (same
// index and term), returning what the state machine's Apply returned for
// it; any other outcome (lost leadership, a newer term, a timeout,
// shutdown) is an error, so a caller never receives another entry's
// result. A leadership event fails the Submits it dooms at once, and a new
// leader proposes a no-op so that its predecessors' entries commit.
// ReadBarrier serves linearizable reads without writing the log (Raft's
// ReadIndex, one round shared by the reads that arrive meanwhile). A
// snapshot goroutine snapshots the state machine when Raft's state grows
// past MaxRaftState; snapshots Raft delivers are installed in order.
//
// A committed command the StateMachine cannot apply (Apply returns an
// error; Command checks a command's type) or a snapshot that does not
// restore stops the replica: waiting Submits fail with ErrShutdown, and
// Raft stops the peer with a *raft.ApplyError naming the index and the
// cause (Err, Stopped). A replica whose persisted snapshot or Raft state
// does not load starts stopped in the same way. Nothing panics, and a
// restart stops again with the same error instead of crashing in a loop.
//
// # The request path
//
// A linearizable Put on the leader of a raftkv cluster (TCP transport)
// crosses 8 stages and 3 goroutine hand-offs (marked ⇒) from the clerk's
// call to its reply:
//
//  1. Clerk: kvraft.Client.Put encodes the request and queues the frame
//     on its connection.
//  2. Transport read loop (the server connection's reader) decodes the
//     frame ⇒ hand-off 1 to a handler goroutine.
//  3. Handler: transport.Server.Dispatch decodes the arguments and calls
//     KVServer.PutAppend: duplicate check, then rsm.Submit.
//  4. Submit: raft.Start encodes the command and takes the next log index
//     under the proposals mutex (it never waits for the loop), registers
//     the waiter and parks ⇒ hand-off 2 to Raft's event loop.
//  5. Raft loop: the proposals made meanwhile become one batch; one
//     storage Sync persists it; one AppendEntries per follower carries it.
//  6. Replication: a quorum persists and answers; the loop steps the
//     answers and advances the commit index.
//  7. Apply, on the Raft loop: RSM.Apply → Machine.Apply, and the answer
//     goes to the waiter's channel ⇒ hand-off 3 back to the handler.
//  8. Handler: Dispatch encodes the reply and queues it on the
//     connection; the clerk's connection reader completes the call.
//
// How it is counted: a hand-off is the request passing from one goroutine
// to another on the server, from the frame's arrival until the reply is
// produced. Not counted are the socket I/O goroutines that every RPC
// crosses whatever the service (the clerk's connection writer and reader,
// the server connection's writer: three queues, owned by transport/tcp;
// counting the server's writer too makes 4; writing a reply inline from
// the handler when the writer is idle removes that hop but was measured to
// cost a third of the transport's calls/s at 64 callers (one syscall per
// reply instead of batches: ratio to net/rpc 1.5 against 2.3-2.7, BenchmarkRatio,
// alternating binaries), so replies keep their writer), and the per-follower RPC
// goroutines of stage 6, which carry one batch for all the requests of an
// iteration. Before kvraft ran on this package the same Put crossed 5
// hand-offs by this count (read loop ⇒ handler ⇒ Raft loop ⇒ Raft's
// applier ⇒ kvraft's applier ⇒ handler; 6 with the server's writer, 14
// stages as issue 16 counted them), and the leadership check polled
// GetState every 40 ms.
//
// # Imports
//
// rsm imports system/raft, transport/wire and the standard library; it
// never imports a service (kvraft, shardctrler, shardkv) nor anything
// under system/backend. Besides the driver it holds the client side the
// services share: Session (a client's id and operation numbers) and Clerk
// (the lab clerks' retry across replicas, remembering the leader).
package rsm
