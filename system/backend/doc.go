// Package backend is the seam between Faultline's harness and a system under
// test, in the shape of Jepsen's db and client protocols.
//
// A Backend starts a Cluster from a Spec; a Cluster hands out Clients and is
// stopped at the end of a run. Optional powers (killing, pausing, finding the
// leader, changing membership) are small extra interfaces that a Cluster may
// implement; consumers find them by type assertion, so a backend that cannot
// support a fault says so before a run starts instead of silently ignoring it.
// A Backend may also declare, before starting anything, the powers the
// cluster it would start for a Spec has (Declarer), so that a fault it
// cannot take is refused before any cluster starts.
//
// The package is a stdlib-only leaf: concrete systems implement it, the
// harness and the chaos controller consume it, and it imports neither.
package backend
