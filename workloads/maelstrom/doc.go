// Package maelstrom holds the workloads of Jepsen's Maelstrom, each as its
// documentation (doc/workloads.md) describes it: echo, unique-ids,
// broadcast, g-set, g-counter, pn-counter, lin-kv, kafka, txn-list-append
// and txn-rw-register. Each is a Workload: per-client seeded generators of
// requests with Maelstrom's value distributions, a setup step (broadcast's
// topology), a final phase after the faults heal (reads of every node,
// Kafka polls to the end), a checker that explains what it finds, and the
// faults that checker can judge.
//
// # How the runner drives a workload
//
//	w, err := maelstrom.New("broadcast", maelstrom.Options{Clients: 5, Topology: "grid"})
//	err = w.Setup(ctx, nodes, setupInvoker)            // before the clients start
//	for each client c (1..Clients), in its own goroutine:
//		rec := &maelstrom.Recorder{Invoker: inv, Client: c, Own: node, Now: clock, Sink: write}
//		g := w.Client(c, seed)
//		for running { req := g.Next(); reply, err := rec.Do(ctx, "", req); g.Update(req, reply, err) }
//	events = append(events, maelstrom.FinalPhase(clock()))   // after the faults heal
//	err = w.Final(ctx, nodes, &maelstrom.Recorder{Invoker: inv, Client: 0, Now: clock, Sink: write})
//	res := w.Check(ctx, maelstrom.Run{Ops: ops, Events: events, Net: stats})
//
// Before any of this, the runner asks Judge of every fault in the schedule
// and refuses to start when one is refused: a checker that cannot tell a
// node's bug from the fault's effect must never see that fault.
//
// # History shape
//
// lin-kv ops are recorded as history.Read, Write and CAS, keys and values
// JSON-encoded scalars ("1"), so that the register model of
// workloads/checker judges them with porcupine. Every other request is a
// history.Call: Key the request type, Value its JSON fields besides type and
// msg_id, Output the JSON body of the reply. An error wrapping
// backend.ErrDefinite is outcome Fail; any other error is Info (unknown).
// Ops invoked at or after the FinalPhase event are the final phase's.
//
// # Imports
//
// maelstrom imports the standard library, workloads/history,
// workloads/checker and system/backend only (no concrete system, no chaos:
// faults are named by their kind strings).
package maelstrom
