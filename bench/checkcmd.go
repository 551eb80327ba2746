package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/history"
	"faultline/workloads/jepsen"
	"faultline/workloads/results"
	"faultline/workloads/runner"
)

// cmdCheck re-checks a saved history offline: Faultline's history.jsonl,
// a Jepsen history.edn or the op lines of a jepsen.log.
func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := subcommandFlags("bench check", "usage: bench check [flags] HISTORY|RESULTS_DIR\n\nre-checks a saved history (history.jsonl, a Jepsen history.edn or jepsen.log); exit status 0 valid, 1 invalid, 2 unknown, 3 failed", stderr)
	limit := fs.Duration("time-limit", 60*time.Second, "bound on the linearizability check; past it the verdict is unknown")
	format := fs.String("format", "auto", "input format: auto, jsonl, edn or log")
	models := fs.String("models", "", "transactional histories: comma-separated consistency models to check (default strict-serializable; "+modelNames()+")")
	wfr := fs.Bool("wfr-keys", false, "rw-register histories: assume a transaction's write of a key follows its read of it")
	seqKeys := fs.Bool("sequential-keys", false, "rw-register histories: assume each process sees each key's versions in order")
	linKeys := fs.Bool("linearizable-keys", false, "rw-register histories: assume each key is linearizable (real time orders its versions)")
	if err := fs.Parse(args); err != nil {
		return exitFailed
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitFailed
	}
	if *limit <= 0 {
		// As check.time_limit in a config: a bound, never "no limit".
		fmt.Fprintf(stderr, "bench check: -time-limit %v: want a positive duration\n", *limit)
		return exitFailed
	}
	path := fs.Arg(0)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "history.jsonl") // a results folder
	}
	opts, err := txnOptions(*models)
	if err != nil {
		fmt.Fprintf(stderr, "bench check: -models: %v\n", err)
		return exitFailed
	}
	opts.WFRKeys, opts.SequentialKeys, opts.LinearizableKeys = *wfr, *seqKeys, *linKeys
	run, txns, err := readHistory(path, *format)
	if err != nil {
		fmt.Fprintf(stderr, "bench check: %v\n", err)
		return exitFailed
	}
	if txns == nil {
		txns = txnCalls(run)
	}
	if txns != nil {
		return checkTxns(path, txns, opts, stdout)
	}
	run.Dir = filepath.Dir(path)
	var pick checker.Checker
	if run.Keyed != nil {
		fmt.Fprintf(stdout, "%s: %d ops, %d events\n", path, run.Keyed.Ops, len(run.Events))
		pick = checker.ForKeyed(run.Keyed, *limit)
	} else {
		fmt.Fprintf(stdout, "%s: %d ops, %d events\n", path, len(run.Ops), len(run.Events))
		pick = checker.ForHistory(run.Ops, *limit)
	}
	checks := runner.CheckRun(ctx, run, []checker.Checker{pick})
	for _, c := range checks {
		fmt.Fprintf(stdout, "check %-13s %-8s %s (%.1fs)\n", c.Name, c.Verdict, c.Summary, c.DurationS)
		if c.Visualization != "" {
			fmt.Fprintf(stdout, "  visualization: %s\n", filepath.Join(filepath.Dir(path), c.Visualization))
		}
	}
	v := results.Merge(checks)
	fmt.Fprintf(stdout, "verdict: %s\n", v)
	return v.ExitCode()
}

// readHistory reads a history in the given or guessed format. A jsonl
// history is streamed and split by key as it is read (Run.Keyed); the
// Jepsen formats come as ops (Run.Ops), or, for a transactional
// history.edn, as transactions.
func readHistory(path, format string) (checker.Run, *history.Txns, error) {
	if format == "auto" {
		base := filepath.Base(path)
		switch {
		case strings.HasSuffix(base, ".edn"):
			format = "edn"
		case strings.HasSuffix(base, ".log"):
			format = "log"
		default:
			format = "jsonl"
		}
	}
	switch format {
	case "jsonl":
		k, err := history.ReadKeyedFile(path)
		if err != nil {
			return checker.Run{}, nil, err
		}
		return checker.Run{Keyed: k, Events: k.Events}, nil, nil
	case "edn", "log":
		f, err := os.Open(path)
		if err != nil {
			return checker.Run{}, nil, err
		}
		defer f.Close()
		var ops []history.Op
		var txns *history.Txns
		if format == "edn" {
			ops, txns, err = jepsen.ReadEDNHistory(f)
		} else {
			ops, err = jepsen.ReadLog(f)
		}
		if err != nil {
			return checker.Run{}, nil, fmt.Errorf("%s: %w", path, err)
		}
		return checker.Run{Ops: ops}, txns, nil
	}
	return checker.Run{}, nil, fmt.Errorf("unknown format %q, want auto, jsonl, edn or log", format)
}
