package mapreduce

import "faultline/system/backend"

var _ backend.Declarer = Backend{}

// Powers implements backend.Declarer: kill (a worker), and pause in
// process mode; no links, leader or membership.
func (Backend) Powers(spec backend.Spec) []backend.Power {
	return backend.WithPause(spec, backend.PowerKill)
}

// Nodes implements backend.Declarer: the workers w0, w1, ...
func (Backend) Nodes(spec backend.Spec) []string { return backend.Numbered("w", spec.Nodes) }
