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
// # History
//
// Every client call is one history.Op: client, kind, key, value, output,
// invoke and complete in run nanoseconds (history.Clock), outcome (ok; fail
// when the error wraps backend.ErrDefinite; info otherwise) and the node
// that served it (backend.Served). YCSB F's read-modify-write is a Get and
// a Put, two history ops, measured together as one "rmw" op. Fault windows
// and cluster events (backend.Observer) are history.Events.
//
// # results.json (schema 1)
//
// The reports package renders results.json; this is its contract. Fields
// are only added within a schema version, never removed or redefined.
// Times are seconds (suffix _s) or nanoseconds since the run's start
// (suffix _ns, the time base of history.jsonl); latencies are microseconds
// (suffix _us).
//
//	schema       1
//	name         the config's name
//	verdict      "valid", "invalid", "unknown" or "failed" (the run itself
//	             failed; error says why): the merge of checks, invalid over
//	             unknown over valid; no checks at all is unknown
//	error        why the run failed, or "interrupted ..." (optional)
//	backend      backend name; mode "process" or "inprocess"
//	nodes        node names of the cluster
//	workload     "kv", "register", "append", "mapreduce" or "ycsb-a" ...
//	seed         the seed actually used (repeat the run with -seed)
//	command      the command line (argv) that ran it
//	started      wall-clock start (RFC 3339); the zero of every _ns time
//	elapsed_s    whole run, warm-up and checks excluded
//	measured_s   total length of the measured phases
//	versions     {"go": ..., "faultline": VCS revision, module: version}
//	config       the effective config (defaults filled in; as config.yaml)
//	files        {"config": "config.yaml", "history": "history.jsonl",
//	             "log": "bench.log", "visualization": ...}, relative to
//	             the results folder
//	phases       [{name, measured, loop, rate, start_ns, end_ns, ops,
//	             missed}] in run order; warm-up is measured=false
//	ops          {"get"|"put"|"append"|"rmw"|"all": OpStats} over the
//	             measured phases. OpStats: count, ok, fail, info,
//	             ops_per_sec, mean_us, p50_us, p90_us, p99_us, p999_us,
//	             p9999_us, max_us, and percentiles: [[percentile, µs], ...]
//	             from 0 to 100 for a percentile plot (HDR histogram, 3
//	             significant digits). Latency covers every outcome.
//	series       per second of the run, warm-up included: [{t (second
//	             index), ops: {kind: {ok, fail, info}}, p50_us, p90_us,
//	             p99_us, max_us (of ops completed in that second), errors:
//	             {"timeout"|"unreachable"|"definite"|"canceled"|"other": n}}]
//	events       fault windows and cluster events, as in history.jsonl:
//	             [{kind, start, stop (ns; -1 while still open), nodes, desc}]
//	rpc          {"Service.Method": {calls, bytes}} when the backend
//	             reports transport statistics (optional)
//	job          MapReduce runs only: {app, inputs, reduce, workers,
//	             elapsed_s, sequential_s, verified, workers_started, kills,
//	             stalls, crashes, attempts: [{task, index, attempt, worker,
//	             start_s, end_s, expired, outcome}]}
//	checks       [{name ("linearizable", "append", "output"), verdict,
//	             summary, keys (failing, then undecided), visualization
//	             (file name), details ({anomaly kind: count}), anomalies
//	             ([{kind, key, text, cycle: [{op, desc, then}]}]),
//	             duration_s}]
package runner
