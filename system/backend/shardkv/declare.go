package shardkv

import (
	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport"
)

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill, links (a controller and at
// least one group: always two nodes or more), membership and a bare loop,
// and pause in process mode; no leader (each group has its own).
func (Backend) Powers(spec backend.Spec) []backend.Power {
	return backend.WithPause(spec, backend.PowerKill, backend.PowerLinks, backend.PowerMembership, backend.PowerBare)
}

// Nodes implements backend.Declarer: the controllers c0, c1, ... then the
// replicas g<gid>-<i> of each group; none if the options do not parse
// (Start refuses them).
func (Backend) Nodes(spec backend.Spec) []string {
	o, err := parseOptions(spec.Options)
	if err != nil {
		return nil
	}
	var names []string
	for _, cfg := range o.nodes(spec.Nodes) {
		names = append(names, cfg.Name())
	}
	return names
}

// LinkSupport implements chaos.LinkDeclarer: the nodes' fault tables
// (tcp.Faults behind nodeproc.RemoteFaults) apply every link fault; with
// the option network: netns the kernel applies what kernelnet.Supports
// says.
func (Backend) LinkSupport(spec backend.Spec) transport.FaultSupport {
	return nodeproc.NetworkSupport(spec, (*nodeproc.RemoteFaults)(nil))
}
