package chaos

import (
	"context"

	"faultline/chaos/netem"
	"faultline/transport"
)

// FaultSeam is a Cluster whose nodes share a transport fault table that
// the controller may edit (Faultline's own systems in-process, over
// transport/tcp with a shared tcp.Faults). Node names in the table are the
// names of Cluster.Nodes.
type FaultSeam interface {
	Faults() transport.LinkFaulter
}

// NetworkProvider is a Cluster that offers a full netem.Network, for
// instance a chaos/proxy Mesh through which its nodes talk. It is preferred
// over FaultSeam when a cluster has both.
type NetworkProvider interface {
	Network() netem.Network
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
	Begin(kind string, nodes []string, desc string) int
	End(id int)
	Point(kind string, nodes []string, desc string)
}
