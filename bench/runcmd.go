package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"faultline/workloads"
	"faultline/workloads/results"
	"faultline/workloads/runner"
)

// cmdRun runs one workload and returns its exit status.
func cmdRun(ctx context.Context, reg *registries, args []string, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(reg, args, stderr)
	if err != nil {
		return parseExit(err)
	}
	l, err := reg.loadConfig(f)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	if l.plan != nil {
		return reg.runComparison(ctx, l.cfg, l.plan, f.verbose, stdout, stderr)
	}
	return reg.runOne(ctx, l.cfg, l.nem, f.verbose, stdout, stderr)
}

// runOne performs one run with a checked config, writes its report and
// returns the exit status of its verdict.
func (reg *registries) runOne(ctx context.Context, cfg *workloads.Config, nem runner.Nemesis, verbose bool, stdout, stderr io.Writer) int {
	res, dir, err := reg.execute(ctx, cfg, nem, verbose, stdout, stderr)
	writeRunReport(dir, stdout, stderr)
	if dir != "" {
		fmt.Fprintf(stdout, "results: %s\n", dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return exitFailed
	}
	return res.Verdict.ExitCode()
}

// execute performs a run with a checked config: it makes the results
// folder, saves the config and the log there, hands the run to the engine
// (runner.Run) and prints the summary. It returns the results and the
// folder (set as soon as it exists, even on error).
func (reg *registries) execute(ctx context.Context, cfg *workloads.Config, nem runner.Nemesis, verbose bool, stdout, stderr io.Writer) (*results.Results, string, error) {
	dir, err := makeRunDir(cfg)
	if err != nil {
		return nil, "", err
	}
	logf, err := os.Create(filepath.Join(dir, "bench.log"))
	if err != nil {
		return nil, dir, err
	}
	defer logf.Close()
	var h slog.Handler = slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelDebug})
	if verbose {
		h = teeHandler{h, slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})}
	}
	spec := runner.Spec{
		Config: *cfg, Backend: reg.backends[cfg.Backend.Name].backend, Nemesis: nem, Dir: dir,
		NetReport: reg.backends[cfg.Backend.Name].netReport,
		Command:   os.Args, Versions: versions(),
		Files:  map[string]string{"config": "config.yaml", "log": "bench.log"},
		Status: stdout, Logger: slog.New(h),
	}
	if err := writeConfig(dir, cfg); err != nil {
		return failed(spec, err)
	}
	exe, err := os.Executable()
	if err != nil {
		return failed(spec, fmt.Errorf("find own executable for node processes: %w", err))
	}
	spec.Exec = []string{exe, "node", cfg.Backend.Name}
	prog := newProgress(stdout)
	spec.Progress = prog.update
	res, err := runner.Run(ctx, spec)
	prog.done()
	if err == nil {
		printSummary(stdout, res)
		printBare(stdout, res.Bare)
	}
	return res, dir, err
}

// printBare writes a run's harness/bare rounds (config section bare).
func printBare(w io.Writer, b *results.Bare) {
	if b == nil || len(b.Rounds) == 0 {
		return
	}
	fmt.Fprintf(w, "harness/bare: %.2f (median of %d rounds; bare loop %.0f ops/s, harness %.0f ops/s; budget 0.90)\n",
		b.Ratio, len(b.Rounds), b.BareOpsPerS, b.HarnessOpsPerS)
}

// failed records a run that failed before the engine started it.
func failed(s runner.Spec, err error) (*results.Results, string, error) {
	res := runner.NewResults(s)
	return res, s.Dir, runner.Fail(s.Dir, res, err)
}

// makeRunDir creates a fresh results folder under cfg.Out, named by time
// and config name.
func makeRunDir(cfg *workloads.Config) (string, error) {
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return "", fmt.Errorf("results directory: %w", err)
	}
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == os.PathSeparator {
			return '-'
		}
		return r
	}, cfg.Name)
	if name == "" {
		name = "run"
	}
	base := filepath.Join(cfg.Out, time.Now().UTC().Format("20060102-150405")+"-"+name)
	dir := base
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) || i > 100 {
			return "", fmt.Errorf("results directory: %w", err)
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

// writeConfig saves the exact effective config (defaults filled in, flags
// applied, seed chosen) as config.yaml, so that the run can be repeated.
func writeConfig(dir string, cfg *workloads.Config) error {
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	head := "# The exact config of this run, defaults filled in. Re-run with:\n#   bench -config " +
		filepath.Join(dir, "config.yaml") + "\n"
	return os.WriteFile(filepath.Join(dir, "config.yaml"), append([]byte(head), b...), 0o644)
}
