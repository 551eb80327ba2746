package raftkv

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill always; pause in process mode;
// a leader; links between two nodes or more.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := []backend.Power{backend.PowerKill, backend.PowerLeader}
	if spec.Mode == backend.ModeProcess {
		p = append(p, backend.PowerPause)
	}
	if spec.Nodes >= 2 {
		p = append(p, backend.PowerLinks)
	}
	return p
}
