package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"faultline/reports"
	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/runner"
)

// compareFlags are the run flags a comparison config takes; the others
// shape a single run and are refused.
var compareFlags = map[string]bool{"config": true, "seed": true, "out": true, "v": true, "rounds": true}

// plannedRun is one run of a comparison, checked, with its own nemesis
// (nil without faults): a schedule's state belongs to one run.
type plannedRun struct {
	workloads.CompareRun
	nem runner.Nemesis
}

// loadComparison expands a comparison config (read from src) into its
// runs and checks every one of them (backend, fault schedule) before
// anything starts.
func (reg *registries) loadComparison(f *runFlags, cfg *workloads.Config, src *workloads.Source) ([]plannedRun, error) {
	var bad []string
	for name := range f.set {
		if !compareFlags[name] {
			bad = append(bad, "-"+name)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s: flag %s shapes a single run; a config with a compare section sets it per case (its flags: -seed, -out, -rounds, -v)",
			f.config, strings.Join(bad, ", "))
	}
	if f.set["rounds"] {
		if f.rounds < 1 || f.rounds > workloads.MaxRounds {
			return nil, fmt.Errorf("-rounds: %d, want 1 to %d", f.rounds, workloads.MaxRounds)
		}
		cfg.Compare.Rounds = f.rounds
		for i := range cfg.Compare.Cases {
			cfg.Compare.Cases[i].Rounds = min(cfg.Compare.Cases[i].Rounds, f.rounds)
		}
	}
	runs, err := cfg.Expand(src)
	if err != nil {
		return nil, err
	}
	var out []plannedRun
	var errs workloads.Errors
	seen := map[string]bool{}
	for _, r := range runs {
		r.Config.Out = cfg.Out
		nem, err := reg.checkRun(r.Config, r.Source, false)
		if err != nil {
			fes := workloads.Fields(err)
			if fes == nil {
				return nil, fmt.Errorf("case %s, backend %s: %w", r.Case, r.Backend, err)
			}
			for _, fe := range fes {
				fe.Msg = fmt.Sprintf("%s (case %s, backend %s)", fe.Msg, r.Case, r.Backend)
				if !seen[fe.Error()] {
					seen[fe.Error()] = true
					errs = append(errs, fe)
				}
			}
			continue
		}
		out = append(out, plannedRun{r, nem})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// runComparison runs a comparison config: every planned run in order,
// each a complete run with its own results folder under one comparison
// folder, then the benchmark page over all of them. The exit status is
// the worst of the runs'.
func (reg *registries) runComparison(ctx context.Context, cfg *workloads.Config, plan []plannedRun, verbose bool, stdout, stderr io.Writer) int {
	root, err := makeRunDir(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "comparison %s: %d runs in %s\n", cfg.Name, len(plan), root)
	var done []reports.RoundRun
	worst := checker.Valid // the worst verdict so far
	for i, p := range plan {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "bench: interrupted; the runs so far are compared")
			worst = checker.Failed
			break
		}
		rc := *p.Config
		rc.Out = root
		rc.Name = fmt.Sprintf("%s-%s-r%d", p.Case, p.Backend, p.Round)
		fmt.Fprintf(stdout, "\n[%d/%d] case %s, backend %s, round %d (seed %d)\n", i+1, len(plan), p.Case, p.Backend, p.Round, rc.Seed)
		res, dir, err := reg.execute(ctx, &rc, p.nem, verbose, stdout, stderr)
		writeRunReport(dir, stdout, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "bench: %s: %v\n", rc.Name, err)
			worst = worst.Merge(checker.Failed)
		} else {
			worst = worst.Merge(res.Verdict)
		}
		switch {
		case err != nil || dir == "":
		case res.Error != "":
			// An interrupted round is shorter than the others: its figures
			// would skew the medians.
			fmt.Fprintf(stderr, "bench: %s left out of the comparison: %s\n", rc.Name, res.Error)
		default:
			done = append(done, reports.RoundRun{Case: p.Case, Backend: p.Backend, Round: p.Round, Dir: dir})
		}
	}
	if len(done) == 0 {
		fmt.Fprintln(stderr, "bench: no run finished; nothing to compare")
		return exitFailed
	}
	var order []string
	for _, b := range cfg.Compare.Backends {
		order = append(order, b.Name)
	}
	bm, err := reports.BuildBenchmark(cfg.Name, root, done, order)
	if err != nil {
		fmt.Fprintf(stderr, "bench: compare: %v\n", err)
		return exitFailed
	}
	page, err := reports.WriteBenchmarkFiles(root, bm)
	if err != nil {
		fmt.Fprintf(stderr, "bench: compare: %v\n", err)
		return exitFailed
	}
	if _, err := reports.WriteIndex(cfg.Out); err != nil {
		fmt.Fprintf(stderr, "bench: index: %v\n", err)
	}
	printBenchmark(stdout, bm)
	fmt.Fprintf(stdout, "comparison: %s\n", page)
	return worst.ExitCode()
}

// printBenchmark writes the medians and ratios of every case as a table.
func printBenchmark(w io.Writer, b *reports.Benchmark) {
	fmt.Fprintf(w, "\nmedians over rounds (ratios to %s)\n", baselineName(b))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tbackend\tverdict\trounds\tops/s\tratio\tp50 ms\tp99 ms\tp99 ratio\tavailability\tin faults\t")
	for _, c := range b.Cases {
		for _, x := range c.Backends {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%s\t\n",
				c.Name, x.Backend, x.Verdict, x.Rounds, x.OpsPerS, x.Ratio["ops"],
				float64(x.P50US)/1e3, float64(x.P99US)/1e3, x.Ratio["p99"], pct(x.Availability), pct(x.FaultAvailability))
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nclient settings, and the harness against each backend's bare loop (medians; budget >= 0.90)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tbackend\tbare ops/s\tharness ops/s\tharness/bare\tsettings\t")
	for _, c := range b.Cases {
		for _, x := range c.Backends {
			bare, harness, ratio := "-", "-", "-"
			if x.Bare != nil {
				bare, harness, ratio = fmt.Sprintf("%.0f", x.Bare.BareOpsPerS), fmt.Sprintf("%.0f", x.Bare.HarnessOpsPerS), fmt.Sprintf("%.2f", x.Bare.Ratio)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Name, x.Backend, bare, harness, ratio, reports.SettingsText(x.Clients))
		}
	}
	tw.Flush()
	for _, c := range b.Cases {
		rows := c.WindowRows()
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\navailability per fault window, case %s\n", c.Name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "fault\tfrom s\tto s\t")
		for _, x := range c.Backends {
			fmt.Fprintf(tw, "%s\t", x.Backend)
		}
		fmt.Fprintln(tw)
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t", r.Label, r.Start, r.Stop)
			for _, a := range r.Availability {
				fmt.Fprintf(tw, "%s\t", pct(a))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
}

func baselineName(b *reports.Benchmark) string {
	if len(b.Cases) == 0 || len(b.Cases[0].Backends) == 0 {
		return "the first backend"
	}
	return b.Cases[0].Backends[0].Backend
}

func pct(v float64) string {
	if v < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}
