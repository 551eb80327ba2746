package raftkv

import (
	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport"
)

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill, a leader and a bare loop,
// pause in process mode, and links between two nodes or more.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := backend.WithPause(spec, backend.PowerKill, backend.PowerLeader, backend.PowerBare)
	if spec.Nodes >= 2 {
		p = append(p, backend.PowerLinks)
	}
	if spec.Mode == backend.ModeProcess {
		p = append(p, backend.PowerStorage) // storage.go
	}
	return p
}

// Nodes implements backend.Declarer: n0, n1, ...
func (Backend) Nodes(spec backend.Spec) []string { return backend.Numbered("n", spec.Nodes) }

// LinkSupport implements chaos.LinkDeclarer: the nodes' fault tables
// (tcp.Faults behind nodeproc.RemoteFaults) apply every link fault; with
// the option network: netns the kernel applies what kernelnet.Supports
// says.
func (Backend) LinkSupport(spec backend.Spec) transport.FaultSupport {
	return nodeproc.NetworkSupport(spec, (*nodeproc.RemoteFaults)(nil))
}
