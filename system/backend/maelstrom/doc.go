// Package maelstrom is the "maelstrom" backend: it runs programs that
// speak Jepsen Maelstrom's protocol (one JSON message per line on stdin
// and stdout) as real processes, one per node id n0 .. n(N-1), attached
// to a network (Faultline's Maelstrom router) with the clients c1, c2, ...
// it hands out.
//
// The pieces, one concept per file:
//
//   - node.go, life.go: Node, the network's endpoint for one node. Each
//     start of its process is a life: fresh pipes (nodeproc.SetConfig
//     Stdio), init queued first on stdin, a writer goroutine fed by a
//     bounded queue (Deliver never blocks; a full queue means a slow node,
//     and the message is dropped and counted), a reader goroutine that
//     passes each valid line of stdout on (maelstrom.LineReader and
//     DecodeMessage) and records every bad one (junk, malformed JSON, a
//     line over the bound, a src that is not the node's) as an error
//     naming the node and quoting the line's head; and the init handshake
//     (init from HarnessID "c0", init_ok within a deadline).
//   - cluster.go: Cluster, the nodes as one nodeproc.Set (the one process
//     supervisor): Kill (SIGKILL to the process group), Restart (same id,
//     fresh init), Pause and Resume (SIGSTOP, SIGCONT), Stop (SIGTERM,
//     then SIGKILL after a grace; nothing left running), events for nodes
//     that exit by themselves, and the network's link faults.
//   - client.go: Client, backend.Invoker and backend.Client over a
//     maelstrom.Client endpoint of the router.
//   - network.go: the cluster's network: Faultline's Maelstrom router
//     (maelstrom.NewRouter, seeded with the spec's seed, with the options
//     latency and journal-window) with every Maelstrom service attached
//     (lin-kv, seq-kv, lww-kv, lin-tso).
//   - linkv.go: with the option lin-kv=raftkv, the lin-kv service's state
//     is a raftkv cluster of Faultline's own (in process, lin-kv-nodes
//     replicas; kvraft's CAS gives cas), served by maelstrom.StoreService.
//     Replica i shares node n(i)'s fate: a kill of the node kills its
//     replica and a restart restarts both, and a link fault between two
//     nodes applies to their replicas' link too, so the chaos schedule
//     reaches the cluster's own kill and partition powers by node name.
//   - options.go, backend.go: the backend's options and Backend, whose
//     zero value is ready to use.
//   - stderrcopy.go: the copy of every node's stderr to the harness's
//     (option log-stderr), following the nodes' logs.
//
// A node's stderr goes to DIR/ID.log (and, with log-stderr, to
// Backend.Stderr too, prefixed by the node's id). With the option node-dir, node ID
// also has its own directory DIR/ID.data, which survives its restarts:
// its absolute path is in the environment variable MAELSTROM_NODE_DIR
// (NodeDirEnv).
//
// It imports system/maelstrom, system/backend, system/backend/nodeproc,
// system/backend/raftkv (lin-kv on raftkv) and transport.
package maelstrom
