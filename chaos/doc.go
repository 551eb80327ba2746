// Package chaos is the nemesis of Faultline's harness: it reads the fault
// schedule of a workload config, checks that the cluster under test has the
// powers the schedule needs, applies the faults during the run, records each
// one in the history as a window (with the nodes it touched), and heals
// everything at the end.
//
// # Schedule
//
// The "faults" key of a config is either a list of entries or a mapping:
//
//	faults:
//	  seed: 7          # random times, targets and shapes; default the run's seed
//	  recovery: 8s     # final heal this long before the end; default 5s
//	  schedule:
//	    - fault: partition
//	      shape: leader
//	      at: 4s       # once, 4s into the measured run
//	      for: 5s
//	    - fault: kill
//	      target: minority
//	      every: 10s   # at start (default: every), start+every, ...
//	      start: 2s
//	      for: 3s      # restart after 3s
//	    - fault: network
//	      nodes: [n1]  # or target: ..., or links: ["n0->n1"]
//	      random: 6s   # Poisson: exponential gaps of mean 6s after start (default 0)
//	      for: 2s
//	      delay: 50ms
//	      jitter: 10ms
//	      distribution: normal   # uniform (default), normal, pareto
//	      loss: 5%               # or 0.05
//	      burst: 4               # mean loss burst (Gilbert-Elliott)
//	      duplicate: 1%
//	      reorder: 10%
//	      reorder_delay: 20ms
//	      bandwidth: 1MB/s       # bytes/s; KB, KiB, MB, Mbit, ...
//	      conn: reset            # reset, stall, slow-close
//	      slow_close: 2s
//
// Every entry has a fault, exactly one of at, every or random, and (for the
// window faults network, partition, kill and pause) for. Kinds:
//
//   - network: link faults on both directions of every link of the target
//     nodes (target random, leader, minority, majority or all, the
//     default; or a nodes list) or on the listed directed links.
//   - partition: shape halves (random halves), majority (a fixed minority,
//     the last nodes, cut off), isolate (target random, leader, or one
//     named node), leader, bridge, ring (majorities ring) or one-way
//     (the target's messages out are lost; direction: in for those to it).
//   - kill and pause: target random (default), leader, minority, majority,
//     all, or a nodes list; nodes already killed or paused are not chosen
//     again; restart and resume come when the window ends.
//   - join, leave (groups: how many, default 1) and move: membership
//     changes of sharded clusters; they happen at once.
//   - power-loss, disk-full, io-error, slow-disk and corrupt: storage
//     faults on the file system under the target nodes' data directories
//     (storage.go; the README's "Storage faults" section lists their
//     keys). A power loss kills, drops un-synced writes (mode) and
//     restarts when its window ends, or at once without for; a
//     corruption at rest has no for.
//
// Errors are workloads.FieldErrors with paths under "faults" and the line
// of the offending node, every problem reported at once.
//
// # Running
//
// Entries may overlap; overlapping network faults on one link combine
// (transport.LinkFaults.Merge). At the final heal (Recovery before the end of the
// measured phases, when their length is known) every fault is undone and
// the workload keeps running fault-free. Run records a fault's window once
// it has completely taken effect (Begin) and when it is undone (End).
//
// Faults never vanish silently. A fault that cannot be applied (its power
// fails, say with "connection refused" while its target restarts, or it
// finds no target) is retried with a bounded backoff (10ms doubling to
// 500ms) until its window ends; its first failure is recorded as a
// "<kind>-skipped" or "nemesis-error" point. Healing that fails is retried
// the same way until the final heal, which retries each window once more
// for up to 10s. Every occurrence is recorded once (runner.Events.Fault,
// results.Fault) with its intended window and its actual one: when it took
// effect, when it was healed, or that it never did, with the attempts and
// the last error. The run's "faults" check is unknown, naming each window,
// when a fault never took effect, was in effect for less than
// results.MinCoverage of its window, or was never healed; the run's
// verdict is then unknown (exit status 2). A fault that only partly took
// effect (one of two nodes killed) is undone and counts as never applied.
//
// Faults reach a cluster through small optional interfaces found by type
// assertion: backend.Killer, backend.Pauser, backend.LeaderFinder,
// backend.Membership and backend.StorageFaulter from system/backend, and FaultSeam (the cluster's
// transport.LinkFaulter) defined here. A network fault is one
// transport.LinkFaults, the single fault description of the whole harness:
// the schedule's keys are its fields (loss is Drop; delay is the mean and
// jitter the spread, ±jitter when uniform). Setup refuses a schedule whose
// faults the cluster cannot apply (transport.Supports), naming each fault
// and the backend, before any load starts; and before any cluster starts,
// CheckDeclared refuses every fault the backend's declaration for the
// config's spec rules out (backend.Declarer: a power it lacks, a node it
// will not have, too few nodes; LinkDeclarer: a link fault its table does
// not apply), naming the fault, the backend and why.
//
// Every network fault is applied exactly, message by message (or byte by
// byte), by the table itself: transport/tcp's on Faultline's own backends,
// transport/proxy's Mesh of per-link proxies for etcd (which refuses only
// duplication), and transport/simnet's simulated network (which refuses
// connection faults); with the backend option network: netns, by the
// kernel between nodes in network namespaces (system/backend/kernelnet:
// nftables blocks, loss and resets, tc tbf bandwidth; faults that need
// netem refused). Each network fault's record names the layer that
// applied it (transport.LayerOf: transport, proxy or kernel). Where each
// node has its own table (node processes), a node judges the messages of
// the calls it makes, so a directed link's requests and its replies are
// two streams, each under the link's bandwidth limit and with its own
// loss chain.
//
// It may import system/backend (the seam and its optional powers),
// transport (the link fault description and LinkFaulter), workloads (the
// config, its errors, the runner's history types and the results schema's
// fault record) and yaml; never a
// concrete system, bench or reports.
package chaos
