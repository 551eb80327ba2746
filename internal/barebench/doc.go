// Package barebench measures how many connections a backend's clients
// should share: the benchmarks of the backends under system/backend run
// their bare loop (backend.RunBare) with connection pools of several sizes
// on one cluster, alternating the sizes from round to round, and report
// the median throughput of each (Conns).
//
// It imports system/backend and the standard library; only tests import
// it.
package barebench
