package backend

import "strconv"

// Power names an optional power of a cluster, so that a fault schedule can
// be checked against a backend before any cluster starts.
type Power string

// Powers a Declarer may name.
const (
	// PowerKill: the cluster is a Killer whose Kill and Restart work.
	PowerKill Power = "kill"
	// PowerPause: the cluster is a Pauser whose Pause and Resume work
	// (typically process mode only).
	PowerPause Power = "pause"
	// PowerLeader: the cluster is a LeaderFinder.
	PowerLeader Power = "leader"
	// PowerMembership: the cluster is a Membership.
	PowerMembership Power = "membership"
	// PowerLinks: the cluster offers a link fault table over at least two
	// nodes (the chaos controller's FaultSeam), for partitions and network
	// faults.
	PowerLinks Power = "links"
	// PowerStorage: the cluster is a StorageFaulter when started with
	// Spec.StorageFaults (its nodes' data directories are the harness's).
	PowerStorage Power = "storage"
)

// Declarer is a Backend that says, without starting anything, what the
// cluster Start would return for spec will be: its optional powers, and
// the names its Nodes method will give. The harness refuses, before any
// cluster starts, a fault schedule that needs a power not declared, names
// a node the cluster will not have, or needs more nodes than it will
// have; a backend that does not declare is checked only once its cluster
// has started. A declaration must match the started cluster (a test
// asserts it for every backend).
type Declarer interface {
	Powers(spec Spec) []Power
	Nodes(spec Spec) []string
}

// Numbered returns the names prefix0, prefix1, ... prefix(n-1).
func Numbered(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = prefix + strconv.Itoa(i)
	}
	return names
}

// WithPause returns powers, plus PowerPause when spec runs its nodes as
// processes: the node supervisor pauses processes only.
func WithPause(spec Spec, powers ...Power) []Power {
	if spec.Mode == ModeProcess {
		powers = append(powers, PowerPause)
	}
	return powers
}
