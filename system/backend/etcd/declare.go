package etcd

import (
	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport"
	"faultline/transport/proxy"
)

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill, a leader and a bare loop,
// pause in process mode, and links only with the option peer-proxy (not a
// PeerProxy of the caller's) or network: netns, and two members or more.
func (b Backend) Powers(spec backend.Spec) []backend.Power {
	p := backend.WithPause(spec, backend.PowerKill, backend.PowerLeader, backend.PowerBare)
	o, err := parseOptions(spec.Options)
	if err == nil && (o.peerProxy && b.PeerProxy == nil || o.netns) && spec.Nodes >= 2 {
		p = append(p, backend.PowerLinks)
	}
	return p
}

// Nodes implements backend.Declarer: n0, n1, ...
func (Backend) Nodes(spec backend.Spec) []string { return backend.Numbered("n", spec.Nodes) }

// LinkSupport implements chaos.LinkDeclarer: the peer proxies' Mesh
// applies every link fault but duplication; with the option network:
// netns the kernel applies what kernelnet.Supports says.
func (Backend) LinkSupport(spec backend.Spec) transport.FaultSupport {
	return nodeproc.NetworkSupport(spec, (*proxy.Mesh)(nil))
}
