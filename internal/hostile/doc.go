// Package hostile is shared test code for the hostile-client suites that
// attack a running cluster the way a local process without (or with) its
// secret could: raw connections held open past a listener's handshake
// limit (Flood), a connection trickling bytes (Slowloris), a relay that
// lets an authenticated client's connection carry injected garbage
// (Relay), malformed frames (Frame), and a bounded concurrent workload
// whose history is checked for linearizability and whose acknowledged
// appends must all be readable (Workload).
//
// It imports system/backend, internal/kvcheck, transport/proxy (its
// Relay is a proxy.Server), workloads/checker,
// workloads/history, porcupine and the standard library; only tests
// import it. The suite using it is system/backend/raftkv's
// hostile*_test.go.
package hostile
