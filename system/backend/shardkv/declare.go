package shardkv

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill, links (a controller and at
// least one group: always two nodes or more) and membership always; pause
// in process mode; no leader (groups each have their own).
func (Backend) Powers(spec backend.Spec) []backend.Power {
	p := []backend.Power{backend.PowerKill, backend.PowerLinks, backend.PowerMembership}
	if spec.Mode == backend.ModeProcess {
		p = append(p, backend.PowerPause)
	}
	return p
}
