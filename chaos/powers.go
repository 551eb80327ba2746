package chaos

import (
	"context"

	"faultline/transport"
	"faultline/workloads/results"
)

// FaultSeam is a Cluster whose links the controller may fault: Faults
// returns the link fault table its nodes' traffic goes through, keyed by
// the names of Cluster.Nodes. Faultline's own systems return their
// transport/tcp table (shared in-process, or one per node process behind
// nodeproc.RemoteFaults); a system whose networking Faultline does not own
// returns the transport/proxy Mesh its peers talk through (etcd with
// peer-proxy). What the table applies it says through
// transport.FaultSupport (see transport.Supports).
type FaultSeam interface {
	Faults() transport.LinkFaulter
}

// Shards is an optional power of a backend.Membership cluster: how many
// shards there are, for Move. Without it Move picks among DefaultShards.
type Shards interface {
	Shards() int
}

// Joined is an optional power of a backend.Membership cluster: the groups
// currently serving. Without it the controller tracks them itself, assuming
// every group serves at the start.
type Joined interface {
	Joined(ctx context.Context) ([]int, error)
}

// DefaultShards is the shard count assumed for Move when a cluster does not
// say (the course's NShards).
const DefaultShards = 10

// recorder is what the controller records fault windows into;
// *runner.Events implements it.
type recorder interface {
	Now() int64
	Begin(kind string, nodes []string, desc string) int
	End(id int)
	Point(kind string, nodes []string, desc string)
	Fault(f results.Fault)
}
