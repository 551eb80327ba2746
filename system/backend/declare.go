package backend

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
)

// Declarer is a Backend that says, without starting anything, which
// optional powers the cluster Start would return for spec has. The harness
// refuses a fault schedule needing a power not declared before any
// cluster starts; a backend that does not declare is checked only once
// its cluster has started. A declaration must match the cluster's real
// powers (a test asserts it for every backend).
type Declarer interface {
	Powers(spec Spec) []Power
}

// WithPause returns powers, plus PowerPause when spec runs its nodes as
// processes: the node supervisor pauses processes only.
func WithPause(spec Spec, powers ...Power) []Power {
	if spec.Mode == ModeProcess {
		powers = append(powers, PowerPause)
	}
	return powers
}
