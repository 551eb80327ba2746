// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU seconds beside wall-clock time on a shared machine.
// Shared test code: it imports the standard library only.
package cputime
