package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/history"
	"faultline/workloads/runner"
)

// cmdRun runs one workload and returns its exit status.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitValid
		}
		return exitFailed
	}
	l, err := loadConfig(f)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	if l.plan != nil {
		return runComparison(ctx, l.cfg, l.plan, f.verbose, stdout, stderr)
	}
	res, dir, err := execute(ctx, l.cfg, l.nem, f.verbose, stdout, stderr)
	writeRunReport(dir, stdout, stderr)
	if dir != "" {
		fmt.Fprintf(stdout, "results: %s\n", dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return exitFailed
	}
	return exitStatus(res.Verdict)
}

func exitStatus(verdict string) int {
	switch verdict {
	case runner.Valid:
		return exitValid
	case runner.Invalid:
		return exitInvalid
	case runner.Unknown:
		return exitUnknown
	}
	return exitFailed
}

// execute performs a run with a validated config: results folder, cluster,
// load, checks, results.json and the summary. It returns the results and
// the folder (set as soon as it exists, even on error).
func execute(ctx context.Context, cfg *workloads.Config, nem runner.Nemesis, verbose bool, stdout, stderr io.Writer) (*runner.Results, string, error) {
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
	log := slog.New(h)

	res := &runner.Results{
		Schema: runner.SchemaVersion, Name: cfg.Name, Backend: cfg.Backend.Name, Mode: cfg.Backend.Mode,
		Workload: workloadLabel(cfg), Seed: cfg.Seed, Command: os.Args, Versions: versions(),
		Config: *cfg, Started: time.Now().UTC(),
		Files: map[string]string{"config": "config.yaml", "history": "history.jsonl", "log": "bench.log"},
	}
	fail := func(err error) (*runner.Results, string, error) {
		res.Verdict, res.Error = runner.Failed, err.Error()
		_ = runner.WriteJSON(dir, "results.json", res)
		return res, dir, err
	}
	if err := writeConfig(dir, cfg); err != nil {
		return fail(err)
	}
	if cfg.Workload.Kind == workloads.KindMapReduce {
		delete(res.Files, "history")
		if err := runJob(ctx, cfg, dir, res, stdout); err != nil {
			return fail(err)
		}
		if err := runner.WriteJSON(dir, "results.json", res); err != nil {
			return res, dir, err
		}
		printSummary(stdout, res)
		return res, dir, nil
	}
	hf, err := os.Create(filepath.Join(dir, "history.jsonl"))
	if err != nil {
		return fail(err)
	}
	defer hf.Close()
	hw := history.NewWriter(hf)

	clusterDir, err := os.MkdirTemp("", "faultline-"+cfg.Backend.Name+"-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(clusterDir)
	exe, err := os.Executable()
	if err != nil {
		return fail(fmt.Errorf("find own executable for node processes: %w", err))
	}
	spec := backend.Spec{
		Nodes: cfg.Backend.Nodes, Mode: backend.Mode(cfg.Backend.Mode), Dir: clusterDir,
		Fsync: *cfg.Backend.Fsync, Exec: []string{exe, "node", cfg.Backend.Name},
		Seed: cfg.Seed, Options: cfg.Backend.Options, Logger: log.With("backend", cfg.Backend.Name),
	}
	fmt.Fprintf(stdout, "starting %s: %d node(s), %s mode\n", cfg.Backend.Name, cfg.Backend.Nodes, cfg.Backend.Mode)
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	cluster, err := registry[cfg.Backend.Name].backend.Start(sctx, spec)
	cancel()
	if err != nil {
		return fail(fmt.Errorf("start %s: %w", cfg.Backend.Name, err))
	}
	stopped := false
	stopCluster := func() error {
		if stopped {
			return nil
		}
		stopped = true
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		err := cluster.Stop(sctx)
		keepLogs(clusterDir, filepath.Join(dir, "logs"))
		return err
	}
	defer stopCluster()
	res.Nodes = cluster.Nodes()

	prog := newProgress(stdout)
	clock := history.NewClock()
	res.Started = clock.Start().UTC()
	out, err := runner.Run(ctx, runner.Options{
		Config: *cfg, Cluster: cluster, History: hw, Clock: clock, Nemesis: nem,
		Progress: prog.update, Logger: log,
	})
	prog.done()
	if err != nil {
		return fail(err)
	}
	if st, ok := cluster.(backend.Stats); ok {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if rpc, err := st.RPCStats(sctx); err == nil {
			res.RPC = rpc
		}
		cancel()
	}
	if err := stopCluster(); err != nil {
		log.Warn("stop cluster", "err", err)
	}
	if err := hw.Flush(); err != nil {
		return fail(err)
	}
	res.ElapsedS = time.Since(clock.Start()).Seconds()
	res.MeasureS = out.Measured.Seconds()
	res.Phases, res.Ops, res.Series, res.Events = out.Phases, out.Stats, out.Series, out.Events
	if out.Interrupted {
		res.Error = "interrupted before the end of the run"
	}

	fmt.Fprintf(stdout, "checking %d ops...\n", out.Ops)
	cctx := context.WithoutCancel(ctx)
	res.Checks = runner.Check(cctx, runner.CheckOptions{
		Config: *cfg, HistoryPath: filepath.Join(dir, "history.jsonl"), Dir: dir, Logger: log,
	})
	res.Verdict = runner.Merge(res.Checks)
	for _, c := range res.Checks {
		if c.Visualization != "" {
			res.Files["visualization"] = c.Visualization
		}
	}
	if err := runner.WriteJSON(dir, "results.json", res); err != nil {
		return res, dir, err
	}
	printSummary(stdout, res)
	return res, dir, nil
}

func workloadLabel(cfg *workloads.Config) string {
	if cfg.Workload.YCSB != "" {
		return "ycsb-" + cfg.Workload.YCSB
	}
	return cfg.Workload.Kind
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

// keepLogs copies the node logs (*.log) of the cluster directory into the
// results folder before the cluster directory is removed.
func keepLogs(from, to string) {
	logs, _ := filepath.Glob(filepath.Join(from, "*.log"))
	if len(logs) == 0 {
		return
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return
	}
	for _, l := range logs {
		if b, err := os.ReadFile(l); err == nil {
			_ = os.WriteFile(filepath.Join(to, filepath.Base(l)), b, 0o644)
		}
	}
}
