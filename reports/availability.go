package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"faultline/workloads/history"
	"faultline/workloads/results"
)

// loadHistory reads the run's history when the results folder has one.
func loadHistory(dir string, r *results.Results) ([]op, []history.Event, error) {
	name := r.Files["history"]
	if name == "" {
		return nil, nil, nil
	}
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reports: %w", err)
	}
	defer f.Close()
	ops := []op{}
	var evs []history.Event
	err = readHistory(f, func(o op) { ops = append(ops, o) }, func(e history.Event) { evs = append(evs, e) })
	if err != nil {
		return nil, nil, fmt.Errorf("reports: %s: %w", f.Name(), err)
	}
	return ops, evs, nil
}

func (d *Data) availabilityFromHistory(ops []op) {
	rows := make([]AvailabilityRow, 0, len(d.Windows)+2)
	for _, w := range d.Windows {
		rows = append(rows, AvailabilityRow{Label: windowLabel(w), Start: w.Start, Stop: w.Stop})
	}
	outside := AvailabilityRow{Label: "outside fault windows"}
	whole := AvailabilityRow{Label: "whole run"}
	for _, o := range ops {
		t := secs(o.invoke)
		in := false
		for i, w := range d.Windows {
			if t >= w.Start && t <= w.Stop {
				rows[i].add(o.outcome)
				in = true
			}
		}
		if !in {
			outside.add(o.outcome)
		}
		whole.add(o.outcome)
	}
	if len(d.Windows) > 0 {
		rows = append(rows, outside)
	}
	d.Availability = finishAvailability(append(rows, whole))
}

// availabilityFromSeries approximates availability from the per-second
// series (no history): a window counts every second it overlaps.
func (d *Data) availabilityFromSeries(r *results.Results) {
	rows := make([]AvailabilityRow, 0, len(d.Windows)+2)
	for _, w := range d.Windows {
		rows = append(rows, AvailabilityRow{Label: windowLabel(w), Start: w.Start, Stop: w.Stop})
	}
	outside := AvailabilityRow{Label: "outside fault windows"}
	whole := AvailabilityRow{Label: "whole run"}
	for _, s := range r.Series {
		lo, hi := float64(s.T), float64(s.T+1)
		var c results.Counts
		for _, k := range slices.Sorted(maps.Keys(s.Ops)) {
			c.OK += s.Ops[k].OK
			c.Fail += s.Ops[k].Fail
			c.Info += s.Ops[k].Info
		}
		in := false
		for i, w := range d.Windows {
			if w.Start < hi && w.Stop >= lo {
				rows[i].addCounts(c)
				in = true
			}
		}
		if !in {
			outside.addCounts(c)
		}
		whole.addCounts(c)
	}
	if len(d.Windows) > 0 {
		rows = append(rows, outside)
	}
	if len(r.Series) > 0 {
		d.Notes = append(d.Notes, "no history in the results folder: availability per window is approximated from whole seconds")
	}
	d.Availability = finishAvailability(append(rows, whole))
}

func windowLabel(w Window) string {
	s := w.Kind
	if len(w.Nodes) > 0 {
		s += " " + strings.Join(w.Nodes, ",")
	}
	return s
}

func (a *AvailabilityRow) add(outcome int) {
	switch outcome {
	case outcomeOK:
		a.OK++
	case outcomeFail:
		a.Fail++
	default:
		a.Info++
	}
}

func (a *AvailabilityRow) addCounts(c results.Counts) {
	a.OK += c.OK
	a.Fail += c.Fail
	a.Info += c.Info
}

func finishAvailability(rows []AvailabilityRow) []AvailabilityRow {
	for i := range rows {
		n := rows[i].OK + rows[i].Fail + rows[i].Info
		rows[i].Availability = -1
		if n > 0 {
			rows[i].Availability = results.Round(float64(rows[i].OK)/float64(n), 4)
		}
	}
	return rows
}
