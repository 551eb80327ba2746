// Package memkv is the "memory" backend: a single, unreplicated key/value
// node serving Get, Put and Append over the real TCP transport.
//
// It is the harness's ceiling: every op costs one loopback RPC and a map
// access under a mutex, so the throughput it reaches is what the harness
// itself can drive, and a replicated backend's figures can be compared to
// it. It is linearizable by construction (one node, one lock), which makes
// it the correct baseline for the checkers' tests too.
//
// Like every backend it runs in process mode (the node is the bench binary
// started again in node mode, see RunNode) or in-process (goroutines of the
// harness, still over TCP), through the shared supervisor
// (system/backend/nodeproc). It can be killed (its state is lost: it keeps
// nothing on disk) and restarted on the same address, and in process mode
// paused and resumed.
//
// Start makes the cluster a fresh secret (nodeproc.NewSecret, in
// Spec.Dir): the node reads it from the file named in
// NodeConfig.SecretFile, the cluster's clients hold its bytes, and every
// connection proves it before a frame is decoded.
//
// The harness's clients share a bounded pool of tcp connections (option
// "conns", 1 to backend.MaxConns, default DefaultConns): client i uses
// connection i mod conns, which multiplexes the calls of every client
// sharing it; a client's Close leaves it open and the cluster's Stop
// closes the pool. DefaultConns (1) was chosen by measurement on the
// 2-core development machine: 64 closed-loop clients, Get then Put of 10k
// uniform keys of 128 B, pools of 1, 2, 4, 8, 16 and 64 connections, 1 s
// each, the order alternating round by round, median of 9 rounds
// (BenchmarkConns, go test -run '^$' -bench BenchmarkConns/memory -benchtime 3x
// ./bench/): Get 64086, 55006, 39462, 36353, 20535 and
// 9902 ops/s; Put 66128, 51531, 51391, 43657, 32873 and 10520 ops/s. One
// connection per client (64, as before) is 6x slower than one shared.
// Cluster.ClientSettings declares the pool; Cluster.Bare runs the bare
// loop (a Client per client called directly over the same pool).
//
// Its clients are also backend.Invokers of transactions
// (backend.PowerTxn): the store runs each Maelstrom txn request on keys of
// its own, atomically under its lock (option "txn": "strict", the
// default). Option txn: stale-read weakens it on purpose for the
// isolation checker's self-test (TxnStaleRead): read-only transactions
// are served from a snapshot that lags up to 32 writing transactions.
//
// It imports system/backend, system/backend/nodeproc and transport.
package memory
