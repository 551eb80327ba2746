// Package nodetest holds the test scaffolding the node backends under
// system/ share: a TestMain that lets the test binary run as one node (the
// process-mode tests re-execute themselves), the Spec.Exec that does so, and
// the check that a stopped cluster leaves no goroutine behind.
package nodetest
