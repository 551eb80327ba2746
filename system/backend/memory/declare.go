package memory

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill (losing every key), a bare
// loop, transactions, and pause in process mode; one node, so no links
// and no leader.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	return backend.WithPause(spec, backend.PowerKill, backend.PowerBare, backend.PowerTxn)
}

// Nodes implements backend.Declarer: its one node.
func (Backend) Nodes(backend.Spec) []string { return []string{nodeName} }
