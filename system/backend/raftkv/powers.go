package raftkv

import (
	"faultline/transport"
)

// Kill, Restart, Pause and Resume come from the cluster's nodeproc.Set:
// Kill SIGKILLs a node's process group, or in process stops its server,
// Raft peer, listener and persister at once; Restart brings it back from
// its data directory on the same address and gives it back the faults of
// its links; Pause and Resume (process mode only) send SIGSTOP and SIGCONT.

// Faults returns the cluster's link-fault seam (chaos.FaultSeam): per
// directed link between nodes, applied by the nodes' own transports (a
// fault on a -> b is set in both a's and b's tables, since each judges its
// requests and the replies to them), or with the option network: netns by
// the kernel (kernelnet.Faults).
func (c *Cluster) Faults() transport.LinkFaulter { return c.linkFaults }
