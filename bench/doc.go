// Command bench is Faultline's harness: it starts a cluster of a system
// under test, drives it with a workload, records a Jepsen-style history,
// checks it (linearizability per key with porcupine, or the exact append
// check) and measures latency and throughput with HDR histograms.
//
// Usage:
//
//	bench [flags]                 run the default config (or -config FILE)
//	bench check HISTORY           re-check a saved history offline
//	bench list                    list backends, workloads and faults
//	bench node BACKEND ARGS...    run one node process (used by the harness)
//
// Flags of a run: -config FILE, and overrides -duration, -clients, -seed,
// -backend, -nodes, -mode, -out. Each run writes a results folder (its path
// is printed) holding config.yaml, history.jsonl, results.json (documented
// in package workloads/runner) and, on a violation, porcupine's HTML
// visualization.
//
// Exit status: 0 valid, 1 invalid (a violation was found), 2 unknown (a
// check could not decide), 3 the run itself failed (including a rejected
// config).
//
// bench is the only package that imports concrete systems: registry.go
// maps backend names to them. Everything else lives in workloads/...
package main
