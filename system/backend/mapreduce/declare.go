package mapreduce

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill (a worker) always, pause in
// process mode; no links, leader or membership.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := []backend.Power{backend.PowerKill}
	if spec.Mode == backend.ModeProcess {
		p = append(p, backend.PowerPause)
	}
	return p
}
