// Package chaos is the nemesis of Faultline's harness: it reads the fault
// schedule of a workload config, checks that the cluster under test has the
// powers the schedule needs, applies the faults during the run, records each
// one in the history as a window (with the nodes it touched), and heals
// everything at the end.
//
// A schedule is a list of entries, each a fault kind with its parameters
// and its timing: once at a time, every interval, or at random times with a
// mean interval (seeded). Entries may overlap; overlapping network faults on
// one link combine (netem.Merge). After the last fault the schedule heals
// everything and leaves a recovery window in which the workload keeps
// running.
//
// Faults reach a cluster through small optional interfaces found by type
// assertion: backend.Killer, backend.Pauser, backend.LeaderFinder and
// backend.Membership from system/backend, and FaultSeam (a transport fault
// table) or NetworkProvider (a netem.Network such as chaos/proxy's Mesh)
// defined here. Setup refuses a schedule whose faults the cluster cannot
// apply, naming the fault and the backend, before any load starts.
package chaos
