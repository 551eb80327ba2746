// Command lin-kv is a Maelstrom node for the lin-kv workload: a
// single-leader proxy in front of Maelstrom's lin-kv service, with no
// Raft of its own.
//
// The leader is the first node of init's node_ids. It sends each read,
// write and cas to the lin-kv service and answers with the service's
// reply (read_ok with the value, write_ok, cas_ok, or the service's
// error: 20 key-does-not-exist, 22 precondition-failed). Every other node
// forwards the request, unchanged, to the leader and relays its answer.
// No reply within the RPC timeout is answered with code 0 (timeout,
// indefinite: the operation may still happen). The node keeps no state,
// so every operation is linearizable because the service's is.
//
// Imports: the standard library, the examples' node library.
package main
