// Package kvcheck is shared test code for the key/value services: a
// recorder of Get/Put/Append histories checked for linearizability with
// porcupine (partitioned by key), and a log of appends that verifies every
// acknowledged append is present exactly once and in order.
package kvcheck
