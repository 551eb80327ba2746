// Package nodeproc runs a backend node as a child OS process in its own
// process group, so that the chaos controller's kills and pauses are real
// signals: SIGKILL loses whatever the node had not made durable, SIGSTOP
// freezes it mid-flight. It is a stdlib-only helper for the backends under
// system/.
package nodeproc
