// Package workloads describes what a Faultline run does: the YAML workload
// config (backend, cluster shape, key/value mix, key distribution, loop
// discipline, phases, checks and fault schedule), its defaults and its
// validation.
//
// Load reads a config file strictly: unknown keys, wrong types and impossible
// values are all rejected before anything starts, each error naming the file
// and line. Op generation lives in workloads/gen, the interpreter that drives
// a cluster in workloads/runner, histories in workloads/history and their
// checks in workloads/checker.
//
// YCSB's core workloads A, B, C, D and F map onto the Get/Put/Append API:
// reads are Get, updates and inserts are Put, and F's read-modify-write is a
// Get followed by a Put of the same key by the same client. Workload E needs
// range scans, which this API does not have, so it is not offered.
//
// # Imports
//
// workloads imports the standard library and yaml.v3 only; its
// sub-packages build on it. No package under workloads imports a concrete
// system or chaos (the nemesis is an interface value, runner.Nemesis).
package workloads
