package main

import (
	"faultline/workloads"
	"faultline/workloads/runner"
)

// newNemesis builds the fault injector of a config with a fault schedule
// (cfg.Faults, raw YAML whose schema the chaos controller owns). It is
// called while the config is checked, before anything starts; errors that
// are workloads.FieldErrors with paths under "faults" are reported with the
// file and line. It is nil until the chaos controller exists, and configs
// with faults are then rejected. The chaos controller wires itself in here
// (and in faultKinds, for `bench list`).
var newNemesis func(cfg *workloads.Config) (runner.Nemesis, error)
