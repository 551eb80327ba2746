// Package nodeproc runs a backend's nodes, as child OS processes in their
// own process groups (so that the chaos controller's kills and pauses are
// real signals: SIGKILL loses whatever the node had not made durable,
// SIGSTOP freezes it mid-flight) or in this process. Set holds a cluster's
// nodes and gives it Kill, Restart, Pause, Resume and Stop; Serve,
// ParseArgs and StderrLogger are the node side of a node command; the
// Faults and Stats services let the harness reach into node processes.
// The backends under system/ share it.
package nodeproc
