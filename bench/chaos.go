package main

import (
	"faultline/chaos"
	"faultline/workloads"
	"faultline/workloads/runner"
)

// init wires the chaos controller in as the nemesis of configs with a
// fault schedule, and as the fault list of `bench list`.
func init() {
	newNemesis = func(cfg *workloads.Config) (runner.Nemesis, error) { return chaos.New(cfg) }
	faultKinds = chaos.Kinds
	defaultFaults = chaos.DefaultSchedule
}
