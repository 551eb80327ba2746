package etcd

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill and a leader always; pause in
// process mode; links only with the option peer-proxy (or a PeerProxy of
// the caller's) and two members or more.
func (b Backend) Powers(spec backend.Spec) []backend.Power {
	p := []backend.Power{backend.PowerKill, backend.PowerLeader}
	if spec.Mode == backend.ModeProcess {
		p = append(p, backend.PowerPause)
	}
	o, err := parseOptions(spec.Options)
	if err == nil && o.peerProxy && b.PeerProxy == nil && spec.Nodes >= 2 {
		p = append(p, backend.PowerLinks)
	}
	return p
}
