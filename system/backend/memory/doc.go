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
// It imports system/backend, system/backend/nodeproc and transport.
package memory
