package raftkv

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill and a leader, pause in process
// mode, and links between two nodes or more.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := backend.WithPause(spec, backend.PowerKill, backend.PowerLeader)
	if spec.Nodes >= 2 {
		p = append(p, backend.PowerLinks)
	}
	return p
}
