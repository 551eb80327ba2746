// Package results is the schema of results.json, declared once: the engine
// (workloads/runner) writes it, the reports package and the bench command
// read it.
//
// It is a leaf of the harness: it may import the standard library, package
// workloads (the effective config), workloads/history (events) and
// workloads/checker (verdicts and anomalies) with workloads/checker/elle
// (transactional results), and nothing under system/, so
// that reports can use it. What a backend reports (backend.JobReport, RPC
// statistics) is converted into these types at the one place that records
// it, in the engine.
//
// # results.json (schema 1)
//
// Fields are only added within a schema version, never removed or
// redefined. Times are seconds (suffix _s) or nanoseconds since the run's
// start (suffix _ns, the time base of history.jsonl); latencies are
// microseconds (suffix _us).
//
//	schema       1
//	name         the config's name
//	verdict      "valid", "invalid", "unknown" or "failed" (the run itself
//	             failed; error says why): the merge of checks, invalid over
//	             unknown over valid; no checks at all (or only the
//	             faults check) is unknown
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
//	             "log": "bench.log", "visualization": ..., "output": ...},
//	             relative to the results folder
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
//	faults       one per scheduled fault occurrence (optional): {entry,
//	             fault, desc, nodes, intended_start_ns, intended_stop_ns,
//	             start_ns and stop_ns (the actual window; -1: never took
//	             effect / never healed), attempts, error, heal_attempts,
//	             heal_error}. A run with a fault schedule has a "faults"
//	             check: unknown, naming the windows, when any fault did
//	             not happen as scheduled (never took effect, in effect for
//	             less than MinCoverage of its window, or never healed)
//	rpc          {"Service.Method": {calls, bytes}} when the backend
//	             reports transport statistics (optional)
//	clients      key/value runs: {clients, loop, rate, op_timeout_s, and
//	             as the backend declares them: conns (connections the
//	             clients share, client i on i mod conns; 0: one each or
//	             unknown), library, sharing, read_mode, timeouts {name:
//	             duration}} (optional)
//	bare         runs with a bare section: {rounds: [{round, first
//	             ("harness" or "bare"), harness_ops, harness_s,
//	             harness_ops_per_s, bare_ops, bare_errors, bare_definite,
//	             bare_s, bare_ops_per_s, ratio}], bare_ops_per_s,
//	             harness_ops_per_s and ratio (harness/bare): medians over
//	             the rounds} (optional)
//	job          batch (MapReduce) runs only: {app, inputs, reduce, workers,
//	             elapsed_s, sequential_s, verified, workers_started, kills,
//	             stalls, crashes, attempts: [{task, index, attempt, worker,
//	             start_s, end_s, expired, outcome}]}
//	network      backends that route messages themselves (Maelstrom
//	             nodes), optional: {all, clients, servers: Traffic, by_type:
//	             {type: Traffic}, ops (client ops of the whole run),
//	             msgs_per_op (all.sent/ops), server_msgs_per_op
//	             (servers.sent/ops), journal_omitted}. Traffic: sent (each
//	             message once), delivered (each delivery), duplicated,
//	             dropped {partition, loss, unknown_dest, slow_endpoint,
//	             overload}, bytes. Client traffic is every message to or
//	             from a client c1, c2, ...; server traffic the rest
//	node_stats   node processes' pipes, optional: [{id, starts, inits,
//	             exits, delivered, written, dropped_full, dropped_down,
//	             received, problems, last_problems, log (its stderr file)}]
//	checks       [{name ("linearizable", "append", "output", "faults"), verdict,
//	             summary, keys (failing, then undecided), visualization
//	             (file name), details ({anomaly kind: count}), anomalies
//	             ([{kind, key, text, steps: [{op, desc, then}]}]),
//	             txn (transactional workloads: elle's result: verdict,
//	             workload, txns, keys, models, anomaly_types, also_found,
//	             anomalies [{type, key, txns, text, cycle: {steps: [{txn,
//	             index, op, rel, key, why}]}}], not and also_not (models
//	             ruled out), stats), duration_s}]
//
// # messages.jsonl (JournalFile; files key "messages")
//
// The network's message journal of the first seconds of the run, one JSON
// object per message copy, in send order: {src, dest, type, msg_id,
// in_reply_to (both optional), sent_ns, delivered_ns (NotDelivered, -1,
// when the copy was dropped or still in flight), dropped (the drop cause,
// optional), duplicate (the second copy of a duplicated message,
// optional)}. JournalWriter and WriteJournal write it; JournalReader reads
// it with bounds on line size and entry count.
package results
