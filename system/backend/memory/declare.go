package memory

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill (losing every key) always,
// pause in process mode; one node, so no links and no leader.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := []backend.Power{backend.PowerKill}
	if spec.Mode == backend.ModeProcess {
		p = append(p, backend.PowerPause)
	}
	return p
}
