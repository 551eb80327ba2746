package reports

import (
	"cmp"
	"slices"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// FaultRow is one scheduled fault occurrence as the report's fault table
// shows it: the window the schedule intended and the one that happened,
// in seconds since the run started.
type FaultRow struct {
	Entry string   `json:"entry"`
	Fault string   `json:"fault"`
	Desc  string   `json:"desc,omitempty"`
	Nodes []string `json:"nodes,omitempty"`
	// Layer is where a network fault was applied (results.Fault.Layer).
	Layer string `json:"layer,omitempty"`
	// IntendedStart and IntendedStop are the scheduled window.
	IntendedStart float64 `json:"intended_start"`
	IntendedStop  float64 `json:"intended_stop"`
	// Start is when it took effect (Applied), Stop when it was healed
	// (Healed).
	Start   float64 `json:"start"`
	Stop    float64 `json:"stop"`
	Applied bool    `json:"applied"`
	Healed  bool    `json:"healed"`
	// Coverage is the share of the intended window it was in effect.
	Coverage     float64 `json:"coverage"`
	Attempts     int     `json:"attempts"`
	Error        string  `json:"error,omitempty"`
	HealAttempts int     `json:"heal_attempts,omitempty"`
	HealError    string  `json:"heal_error,omitempty"`
	// Problem says how it did not happen as scheduled; empty when it did.
	Problem string `json:"problem,omitempty"`
}

// faults fills the fault table, the intended windows drawn (outlined) on
// the charts beside the actual ones, and the banner naming the windows
// that did not happen.
func (d *Data) faults(r *results.Results) {
	for i := range r.Faults {
		f := &r.Faults[i]
		row := FaultRow{Entry: f.Entry, Fault: f.Fault, Desc: f.Desc, Nodes: f.Nodes, Layer: f.Layer,
			IntendedStart: secs(f.IntendedStartNS), IntendedStop: secs(f.IntendedStopNS),
			Applied: f.StartNS != results.NotApplied, Healed: f.StopNS != results.NotApplied,
			Coverage: f.Coverage(), Attempts: f.Attempts, Error: f.Error,
			HealAttempts: f.HealAttempts, HealError: f.HealError, Problem: f.Problem()}
		if row.Applied {
			row.Start = secs(f.StartNS)
		}
		if row.Healed {
			row.Stop = secs(f.StopNS)
		}
		d.Faults = append(d.Faults, row)
		if f.IntendedStopNS > f.IntendedStartNS {
			d.Intended = append(d.Intended, Window{Kind: f.Fault, Desc: f.Desc, Nodes: f.Nodes,
				Start: row.IntendedStart, Stop: row.IntendedStop})
		}
	}
	slices.SortStableFunc(d.Faults, func(a, b FaultRow) int { return cmp.Compare(a.IntendedStart, b.IntendedStart) })
	slices.SortStableFunc(d.Intended, func(a, b Window) int { return cmp.Compare(a.Start, b.Start) })
	for _, c := range r.Checks {
		if c.Name == results.FaultsCheck && c.Verdict != checker.Valid {
			d.Header.FaultBanner = "Not valid as tested: " + c.Summary
		}
	}
}
