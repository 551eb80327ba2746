package main

import (
	"faultline/workloads"
	"faultline/workloads/runner"
)

// newNemesis builds the fault injector of a config with a fault schedule.
// It is nil until the chaos controller exists; configs with faults are
// then rejected before anything starts.
var newNemesis func(cfg *workloads.Config) (runner.Nemesis, error)
