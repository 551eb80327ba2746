// Package mr is Faultline's MapReduce: the MIT 6.824 lab 1 done for real, over
// the project's TCP msgpack transport.
//
// A Coordinator (MakeCoordinator or StartCoordinator) hands out one map task
// per input file, then nReduce reduce tasks once every map task is done.
// Workers (Worker or RunWorker) ask it for tasks over RPC, run the
// application's map and reduce functions and report back. A task that is not
// reported done within the task timeout (10 s by default) is handed to
// another worker; a late report of a reassigned task is accepted only if the
// task is not done yet, and ignored otherwise. Workers exit when the job is
// done or the coordinator has been unreachable for a while, and may join at any
// time.
//
// Map task X writes its output for reduce task Y to the intermediate file
// mr-X-Y; reduce task Y writes lines "key value\n" to mr-out-Y. Every file is
// written to a temporary name and renamed into place, so a worker that
// crashes never leaves a partial file under a final name. Because a task may
// run more than once, map and reduce functions must be deterministic for
// the output to be well defined (as in the MapReduce paper, section 3.3).
//
// Intermediate data is grouped by key on the map side (each key written once
// per map task, followed by all its values; nothing is combined) in a compact
// length-prefixed binary form; see intermediate.go. The reduce side merges
// the groups of every map task and calls the reduce function once per key,
// in key order.
//
// By default intermediates live in a directory shared by all workers, as in
// the course. With WithServeIntermediates a worker keeps its map output in a
// local directory and serves it over RPC (service MapOutputs); reduce workers
// fetch it from the worker that produced it, so one job can span machines. If
// that worker has gone, the reducer reports the output lost and the
// coordinator runs the map task again.
//
// The core of the coordinator is a deterministic task table (time is passed
// in, no goroutines or clocks), wrapped by a thin driver that owns the
// listener and the clock. The Coordinator records a timeline of events
// (assignments, completions, timeouts, ignored late reports) for reports.
//
// Applications are built in by name (LookupApp: wc, indexer, and the test
// apps mtiming, rtiming, crash, nocrash, jobcount, earlyexit) or loaded from a
// Go plugin exporting Map and Reduce (LoadPlugin), so course-style apps run
// unchanged apart from their import path. Sequential is the reference
// implementation (the course's mrsequential); CompareOutputs compares a
// job's output with it. WorkerConfig describes a worker as plain values,
// for worker processes.
//
// A coordinator (WithTCPConfig) and workers (WithWorkerTCPConfig, or
// WorkerConfig.SecretFile) given a tcp.Config with a Secret authenticate
// every connection among them.
//
// Running jobs as a cluster under test (worker processes, their
// replacement, kills and stalls) is the mapreduce backend's business
// (system/backend/mapreduce), not this package's.
//
// The package imports transport, internal/names and the standard library;
// its tests also use system/backend/nodeproc and internal/nodetest to start
// worker processes.
package mr
