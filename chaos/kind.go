package chaos

// Kind is a fault kind, as written in a schedule entry's "fault" field.
type Kind string

// Fault kinds.
const (
	// KindNetwork applies link faults (transport.LinkFaults: delay,
	// jitter, loss, duplication, reordering, bandwidth, connection faults)
	// to the links of the target nodes, or to the listed links.
	KindNetwork Kind = "network"
	// KindPartition cuts the network into a shape (see Shape).
	KindPartition Kind = "partition"
	// KindKill crashes the target nodes and restarts them when the window
	// ends.
	KindKill Kind = "kill"
	// KindPause freezes the target nodes (SIGSTOP) and resumes them when
	// the window ends.
	KindPause Kind = "pause"
	// KindJoin joins replica groups that exist but are not serving.
	KindJoin Kind = "join"
	// KindLeave removes serving replica groups.
	KindLeave Kind = "leave"
	// KindMove moves a shard to another serving group.
	KindMove Kind = "move"
	// Storage kinds (storage.go): a power loss and storage fault windows
	// on the file system under the target nodes' data directories.
	KindPowerLoss Kind = "power-loss"
	KindDiskFull  Kind = "disk-full"
	KindIOError   Kind = "io-error"
	KindSlowDisk  Kind = "slow-disk"
	KindCorrupt   Kind = "corrupt"
)

// Shape is the shape of a partition.
type Shape string

// Partition shapes, after Jepsen's.
const (
	// ShapeHalves splits the nodes into two random halves (the larger one
	// a majority).
	ShapeHalves Shape = "halves"
	// ShapeMajority cuts a fixed minority (the last nodes in the cluster's
	// order) off from the majority.
	ShapeMajority Shape = "majority"
	// ShapeIsolate cuts one node (Target: random, leader or a named node)
	// off from all others.
	ShapeIsolate Shape = "isolate"
	// ShapeLeader isolates the current leader.
	ShapeLeader Shape = "leader"
	// ShapeBridge splits the nodes into two halves that share one bridge
	// node, which talks to both.
	ShapeBridge Shape = "bridge"
	// ShapeRing places the nodes on a random ring where each talks only to
	// its neighbours, so each sees a majority but no two see the same one.
	ShapeRing Shape = "ring"
	// ShapeOneWay blocks one direction only: the target node's messages to
	// the others (Direction "out", the default) or theirs to it ("in").
	ShapeOneWay Shape = "one-way"
)

// Target chooses the nodes a fault touches.
type Target string

// Targets.
const (
	TargetRandom   Target = "random"   // one node chosen at random
	TargetLeader   Target = "leader"   // the current leader
	TargetMinority Target = "minority" // a random minority (at least one node)
	TargetMajority Target = "majority" // a random majority
	TargetAll      Target = "all"      // every node
	TargetNodes    Target = "nodes"    // the nodes listed in the entry
)

// Kinds lists every fault kind with a one-line description, for `bench
// list`.
func Kinds() [][2]string {
	return append([][2]string{
		{string(KindNetwork), "link faults on target nodes or links: delay, jitter (uniform/normal/pareto), loss (burst: Gilbert-Elliott), duplicate, reorder, bandwidth, conn reset/stall/slow-close"},
		{string(KindPartition), "shape halves | majority | isolate | leader | bridge | ring | one-way; healed when the window ends"},
		{string(KindKill), "crash target nodes (random, leader, minority, majority, all), restart them from their data when the window ends"},
		{string(KindPause), "freeze target nodes (SIGSTOP), resume them when the window ends"},
		{string(KindJoin), "join a replica group that is not serving (sharded backends)"},
		{string(KindLeave), "remove a serving replica group (sharded backends)"},
		{string(KindMove), "move a random shard to another serving group (sharded backends)"},
	}, storageKinds()...)
}

// window reports whether k lasts for a duration (rather than happening once).
func (k Kind) window() bool {
	switch k {
	case KindNetwork, KindPartition, KindKill, KindPause:
		return true
	}
	return k.storage()
}

func (k Kind) known() bool {
	switch k {
	case KindNetwork, KindPartition, KindKill, KindPause, KindJoin, KindLeave, KindMove:
		return true
	}
	return k.storage()
}

func (s Shape) known() bool {
	switch s {
	case ShapeHalves, ShapeMajority, ShapeIsolate, ShapeLeader, ShapeBridge, ShapeRing, ShapeOneWay:
		return true
	}
	return false
}
