package shardkv

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill, links (a controller and at
// least one group: always two nodes or more) and membership, and pause in
// process mode; no leader (each group has its own).
func (Backend) Powers(spec backend.Spec) []backend.Power {
	return backend.WithPause(spec, backend.PowerKill, backend.PowerLinks, backend.PowerMembership)
}
