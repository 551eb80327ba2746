// Package kvcheck is shared test code for the key/value services' lab
// tests: a Recorder of Get/Put/Append histories checked for
// linearizability with porcupine and the project's one KV model
// (workloads/checker.KVModel), and a log of appends that verifies every
// acknowledged append is present exactly once and in order.
//
// It may import workloads/checker, workloads/history, porcupine and the
// standard library; only tests import it.
package kvcheck
