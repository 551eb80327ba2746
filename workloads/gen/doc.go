// Package gen generates the ops of a workload: key choosers for YCSB's
// distributions (uniform, zipfian, scrambled zipfian, latest, hotspot) and
// per-client op generators for the kv, register and append workloads; and
// TxnGen, the transactions of Elle's list-append and rw-register
// workloads, with Elle's knobs.
//
// Everything is deterministic given a seed: each client owns a *rand.Rand
// seeded from the run's seed and its id, and generators hold no clocks. The
// only shared state is the insert counter of a key space that grows (YCSB
// D's inserts with the "latest" distribution), kept in an atomic.
//
// gen imports the standard library and package workloads (the config)
// only.
package gen
