// Command bench is Faultline's harness command: flags, config parsing, the
// registries of what this binary can run, and one call to the engine
// (workloads/runner.Run), which starts a cluster of a system under test,
// drives it with a workload (or runs its batch job), records a Jepsen-style
// history, checks it and measures latency and throughput.
//
// Usage:
//
//	bench [flags]                 run the default config (or -config FILE)
//	bench check HISTORY           re-check a saved history offline
//	bench list                    list backends, workloads and faults
//	bench maelstrom test -w WORKLOAD --bin PATH [flags] [-- NODE ARGS...]
//	                              Maelstrom's command line: a run of the
//	                              maelstrom backend (maelstromcmd.go)
//	bench node BACKEND ARGS...    run one node process (used by the harness)
//
// Flags of a run: -config FILE, and overrides -duration, -clients, -seed,
// -backend, -nodes, -mode, -out. Each run writes a results folder (its path
// is printed) holding config.yaml, history.jsonl, results.json (documented
// in package workloads/results) and, on a violation, porcupine's HTML
// visualization.
//
// Exit status: the verdict's ExitCode (workloads/checker): 0 valid,
// 1 invalid (a violation was found), 2 unknown (a check could not decide),
// 3 the run itself failed (including a rejected config).
//
// bench is the only package that imports concrete systems: main builds the
// registries (registry.go: backends by name, the chaos controller as the
// nemesis) as a value and hands it down; nothing registers itself. A
// backend is one more line in newRegistries; a batch backend (MapReduce)
// is marked batch and takes workload kind "mapreduce"; a backend whose
// clients take Maelstrom requests is marked invoker and takes the
// Maelstrom workload kinds, and gives the runner its network report
// (maelstromrun.go). bench may import
// anything; nothing imports it.
package main
