package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"faultline/workloads/results"
)

// printSummary writes the final table: one row per op type and "all",
// then the checks and the verdict.
func printSummary(w io.Writer, r *results.Results) {
	if r.Job != nil {
		fmt.Fprintf(w, "\n%s on %s (%s), seed %d\n", r.Name, r.Backend, r.Mode, r.Seed)
	} else {
		fmt.Fprintf(w, "\n%s on %s (%d node(s), %s), %s workload, seed %d, %.1fs measured\n",
			r.Name, r.Backend, len(r.Nodes), r.Mode, r.Workload, r.Seed, r.MeasureS)
	}
	if j := r.Job; j != nil {
		fmt.Fprintf(w, "job %s: %d inputs, %d reduce tasks, %d workers (%d started, %d killed, %d stalled, %d crashed), %d task attempts, %.2fs (sequential %.2fs)\n",
			j.App, len(j.Inputs), j.Reduce, j.Workers, j.WorkersStarted, j.Kills, j.Stalls, j.Crashes, len(j.Attempts), j.ElapsedS, j.SequentialS)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if len(r.Ops) > 0 {
		fmt.Fprintln(tw, "op\tcount\tok\tfail\tinfo\tops/s\tmean\tp50\tp90\tp99\tp99.9\tp99.99\tmax\t")
	}
	var kinds []string
	for k := range r.Ops {
		if k != "all" {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	if _, ok := r.Ops["all"]; ok {
		kinds = append(kinds, "all")
	}
	for _, k := range kinds {
		s := r.Ops[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", k, s.Count, s.OK, s.Fail, s.Info,
			s.OpsPerSec, us(int64(s.MeanUS)), us(s.P50US), us(s.P90US), us(s.P99US), us(s.P999US), us(s.P9999US), us(s.MaxUS))
	}
	if len(kinds) > 0 {
		tw.Flush()
	}
	if len(r.Events) > 0 {
		fmt.Fprintf(w, "%d fault/cluster events recorded\n", len(r.Events))
	}
	for _, e := range r.Events {
		if e.Kind == "final-read" {
			fmt.Fprintf(w, "final read: %s\n", e.Desc)
		}
	}
	for _, c := range r.Checks {
		fmt.Fprintf(w, "check %-13s %-8s %s (%.1fs)\n", c.Name, c.Verdict, c.Summary, c.DurationS)
		if c.Visualization != "" {
			fmt.Fprintf(w, "  visualization: %s\n", c.Visualization)
		}
	}
	if r.Error != "" {
		fmt.Fprintf(w, "note: %s\n", r.Error)
	}
	fmt.Fprintf(w, "verdict: %s\n", r.Verdict)
}

// us formats a latency in microseconds compactly.
func us(v int64) string {
	d := time.Duration(v) * time.Microsecond
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", v)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(v)/1000)
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}
