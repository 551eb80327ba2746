// Package runner interprets a workload config against a running cluster:
// it owns the client goroutines (Jepsen's interpreter), the loop discipline,
// the phases, the history recording, the measurements and the checks.
//
// # Loops
//
// A closed loop runs Workload.Clients workers, each issuing its next op when
// the last returns. An open loop issues ops at Rate ops/s in total: worker i
// of n owns the schedule start + i/Rate + k·n/Rate, sleeps until each
// intended start, and when it is behind issues at once. Latency is measured
// from the intended start, so a stalled backend shows the stall in the
// latency of every op that should have started during it (coordinated
// omission corrected, as wrk2 does); ops whose intended start falls before
// the phase's end but that could not be issued in time are counted as
// Missed.
//
// A warm-up phase (Workload.Warmup) runs first; its ops are recorded in the
// history and checked, but not counted in the summary statistics. Then each
// measured phase runs in turn, bounded by its duration and/or op count. The
// Nemesis, if any, runs during the measured phases and is healed after.
//
// # Harness against bare loop
//
// With a bare section (workloads.Bare), the measured duration is split
// into Rounds harness phases ("main-1", ...), each paired on the same
// cluster with an equal stretch of the backend's bare loop
// (backend.Barer), bare first in odd rounds and harness first in even
// ones. The bare loop gets, per client, a script drawn beforehand from the
// workload's generator (same seed and client streams: op kinds, key
// indices and mix; keys prefixed with BareKeyPrefix so that its writes
// never show in the checked history) and the value that client writes;
// it records nothing. results.json's bare section gives each round's
// throughputs and harness/bare ratio, and their medians. The clients
// section records how the backend was driven (backend.ClientSetup).
//
// # History
//
// Every client call is one history.Op: client, kind, key, value, output,
// invoke and complete in run nanoseconds (history.Clock), outcome
// (outcomeOf, the one classifier: ok; fail when the error wraps backend.ErrDefinite;
// info otherwise) and the node
// that served it (backend.Served). YCSB F's read-modify-write is a Get and
// a Put, two history ops, measured together as one "rmw" op. Fault windows
// and cluster events (backend.Observer) are history.Events.
//
// # Per-op cost
//
// The harness's own cost per op is what separates it from the bare loop,
// so a worker shares nothing with the others while an op runs: it writes
// its ops into its own history.Batch, keeps its measurements in its own
// batch (handed to the collector 64 at a time) and its op counts in its
// own fields, and bounds each op by a context from its own re-armed timer
// (deadlines) rather than a context.WithTimeout per op. Every worker
// hands its batches on at the end of each phase.
//
// # The engine
//
// Run executes one run given as values (Spec): a backend, the config's
// workload, a Nemesis (an interface value; the chaos controller is one),
// checkers (workloads/checker) and a results folder. It starts the
// cluster, drives it (or, for a batch workload, runs its job through the
// cluster's backend.Batch power while the nemesis applies its faults), stops
// it, checks the history and writes results.json (package results holds
// its schema). A Go program or test builds a Spec and calls Run; the bench
// command is flags, config parsing and that call.
//
// # Maelstrom workloads
//
// A config whose kind is one of workloads.MaelstromKinds runs a workload
// of workloads/maelstrom on a cluster whose clients are backend.Invokers
// (maelstrom.go): client i is Maelstrom client c(i+1), its requests
// recorded by a maelstrom.Recorder into the history and measured under
// their request type. The workload's Setup runs first; then the phases,
// closed or open loop, with the nemesis; after the heal the run waits
// workload.maelstrom.recovery, records the final-phase event and runs the
// workload's Final until the nodes' reads agree or final_timeout runs out
// (maelstromfinal.go); the workload's Check, given the network's message
// counts, joins the run's checks. Spec.NetReport, set by bench for a
// backend that routes messages itself, fills the network and node
// sections of results.json and writes the message journal.
//
// # Transactional workloads
//
// A config whose kind is one of workloads.TxnKinds (list-append,
// rw-register) runs the same way on a cluster whose clients take
// transactions (backend.PowerTxn; TxnRefusal refuses any other before it
// starts): TxnWorkload draws every client's transactions from one
// gen.TxnGen with the config's Elle knobs and sends each as a Maelstrom
// txn request, recorded as a history.Call with Key "txn"; there is no
// setup and no final phase. The check is elle's (Checkers), run by
// TxnCheck, which keeps elle's whole result in results.json's check.
//
// # Imports
//
// runner may import the standard library, HDR histograms, system/backend
// (the seam), transport (error values) and the workloads packages; never a
// concrete system, chaos, reports or bench.
package runner
