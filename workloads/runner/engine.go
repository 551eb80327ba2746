package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// Spec is one run, as values: the system under test, the workload (in
// Config), the nemesis and the checkers. Run executes it.
type Spec struct {
	// Config is the run's config, defaulted and validated: name, seed,
	// the backend section (nodes, mode, fsync, options), the workload,
	// its phases, the checks and, for a batch run, the job.
	Config workloads.Config
	// Backend starts the system under test. Required.
	Backend backend.Backend
	// Nemesis injects faults while the run is measured; nil for none.
	Nemesis Nemesis
	// Checkers judge the run; nil means the ones Config asks for
	// (Checkers).
	Checkers []checker.Checker
	// Dir is the run's results folder; it exists. Run writes
	// history.jsonl, results.json, the checkers' files, the node logs
	// (logs/) and a batch job's output (output/) into it.
	Dir string
	// Exec is the command that starts a node process when Config asks for
	// process mode: the harness binary with its node-mode arguments.
	Exec []string
	// Command, Versions and Files are recorded in results.json as given:
	// the command line, what built the harness, and the files of the
	// results folder the caller wrote (config.yaml, bench.log).
	Command  []string
	Versions map[string]string
	Files    map[string]string
	// Status receives one line per stage of the run (starting, checking);
	// nil discards them.
	Status io.Writer
	// Progress, when set, is called about once a second during the load.
	Progress func(Progress)
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// NetReport, when set, reads the network statistics, node statistics
	// and message journal of a cluster whose backend routes messages
	// itself (Maelstrom nodes) after the load, before the cluster stops;
	// start is the run's time zero. It returns nil for a cluster it does
	// not know. bench sets it: the runner imports no concrete system.
	NetReport func(c backend.Cluster, start time.Time) *NetReport
}

// NetReport is what a message-routing backend's cluster reports after a
// run: results.json's network and node_stats sections and the journal
// written to results.JournalFile.
type NetReport struct {
	Network *results.Network
	Nodes   []results.NodeStats
	Journal []results.JournalEntry
}

// Timeouts of the stages around the load.
const (
	startTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
	statsTimeout = 5 * time.Second
)

// HistoryFile is the name of the history in a results folder.
const HistoryFile = "history.jsonl"

// Run executes a run: it starts the cluster, drives it with the workload
// (or runs its batch job), injects the nemesis's faults, stops the cluster,
// checks what was recorded and writes results.json. It returns the results
// even when the run failed (then Verdict is Failed, Error says why, and the
// error is returned too); an interrupted run (ctx done) is not a failure:
// its results say "interrupted" and are checked as far as they go.
func Run(ctx context.Context, s Spec) (*results.Results, error) {
	cfg := s.Config
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	status := s.Status
	if status == nil {
		status = io.Discard
	}
	res := NewResults(s)
	res.Files["history"] = HistoryFile
	fail := func(err error) (*results.Results, error) {
		return res, Fail(s.Dir, res, err)
	}
	if s.Backend == nil {
		return fail(errors.New("runner: no backend"))
	}
	if err := TxnRefusal(&cfg, s.Backend); err != nil {
		return fail(err)
	}
	hf, err := os.Create(filepath.Join(s.Dir, HistoryFile))
	if err != nil {
		return fail(fmt.Errorf("runner: %w", err))
	}
	defer hf.Close()
	hw := history.NewWriter(hf)

	clusterDir, err := os.MkdirTemp("", "faultline-"+cfg.Backend.Name+"-")
	if err != nil {
		return fail(fmt.Errorf("runner: %w", err))
	}
	defer os.RemoveAll(clusterDir)
	spec := BackendSpec(&cfg)
	spec.Dir, spec.Exec, spec.Logger = clusterDir, s.Exec, log.With("backend", cfg.Backend.Name)
	if sn, ok := s.Nemesis.(StorageNemesis); ok {
		spec.StorageFaults = sn.StorageFaults()
	}
	fmt.Fprintf(status, "starting %s: %d node(s), %s mode\n", cfg.Backend.Name, cfg.Backend.Nodes, cfg.Backend.Mode)
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	cluster, err := s.Backend.Start(sctx, spec)
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
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
		defer cancel()
		err := cluster.Stop(sctx)
		keepLogs(clusterDir, filepath.Join(s.Dir, "logs"))
		return err
	}
	defer stopCluster()
	res.Nodes = cluster.Nodes()

	clock := history.NewClock()
	res.Started = clock.Start().UTC()
	var job *checker.Job
	var ops int64
	var mcheck func(context.Context, *results.Network) []results.Check
	switch {
	case cfg.Workload.Kind == workloads.KindMapReduce:
		job, err = runBatch(ctx, s, cluster, hw, clock, res, status, log)
	case workloads.IsMaelstrom(cfg.Workload.Kind) || workloads.IsTxn(cfg.Workload.Kind):
		ops, mcheck, err = runMaelstrom(ctx, s, cluster, hw, clock, res, log)
	default:
		ops, err = runLoad(ctx, s, cluster, hw, clock, res, log)
	}
	if err != nil {
		return fail(err)
	}
	if s.NetReport != nil {
		netReport(s, cluster, clock, res, ops, log)
	}
	if st, ok := cluster.(backend.Stats); ok {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statsTimeout)
		if rpc, err := st.RPCStats(sctx); err == nil {
			res.RPC = rpcStats(rpc)
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

	checkers := s.Checkers
	if checkers == nil {
		checkers = Checkers(&cfg)
	}
	if job == nil {
		fmt.Fprintf(status, "checking %d ops...\n", ops)
	}
	res.Checks = Check(context.WithoutCancel(ctx), filepath.Join(s.Dir, HistoryFile), job, checkers, s.Dir)
	if mcheck != nil && !workloads.IsTxn(cfg.Workload.Kind) { // elle checks a transactional run (Checkers)
		res.Checks = append(res.Checks, mcheck(context.WithoutCancel(ctx), res.Network)...)
	}
	if len(res.Faults) > 0 {
		// A fault that did not happen as scheduled makes the run unknown:
		// it did not test what it was asked to.
		res.Checks = append(res.Checks, results.CheckFaults(res.Faults))
	}
	res.Verdict = results.Merge(res.Checks)
	for _, c := range res.Checks {
		if c.Visualization != "" {
			res.Files["visualization"] = c.Visualization
		}
	}
	if err := results.Write(s.Dir, res); err != nil {
		return res, err
	}
	return res, nil
}

// netReport fills res's network and node sections from s.NetReport and
// writes the message journal.
func netReport(s Spec, cluster backend.Cluster, clock history.Clock, res *results.Results, ops int64, log *slog.Logger) {
	rep := s.NetReport(cluster, clock.Start())
	if rep == nil {
		return
	}
	if rep.Network != nil {
		rep.Network.SetOps(ops)
	}
	res.Network, res.NodeStats = rep.Network, rep.Nodes
	if err := results.WriteJournal(s.Dir, rep.Journal); err != nil {
		log.Warn("message journal", "err", err)
		return
	}
	res.Files["messages"] = results.JournalFile
}

// BackendSpec is the cluster a config asks for (nodes, mode, fsync, seed,
// options), without the run's directory, node command and logger: what a
// backend.Declarer needs to say its powers before anything starts.
func BackendSpec(cfg *workloads.Config) backend.Spec {
	return backend.Spec{
		Nodes: cfg.Backend.Nodes, Mode: backend.Mode(cfg.Backend.Mode),
		Fsync: cfg.Backend.Fsync == nil || *cfg.Backend.Fsync, Seed: cfg.Seed, Options: cfg.Backend.Options,
	}
}

// NewResults starts the results of the run s: what is known before it
// starts.
func NewResults(s Spec) *results.Results {
	cfg := s.Config
	res := &results.Results{
		Schema:  results.SchemaVersion,
		Run:     results.Run{Name: cfg.Name, Backend: cfg.Backend.Name, Mode: cfg.Backend.Mode, Workload: Label(&cfg), Seed: cfg.Seed},
		Command: s.Command, Versions: s.Versions,
		Config: cfg, Started: time.Now().UTC(), Files: maps.Clone(s.Files),
	}
	if res.Files == nil {
		res.Files = map[string]string{}
	}
	return res
}

// Fail marks res as a failed run, saying why, writes it into dir and
// returns err.
func Fail(dir string, res *results.Results, err error) error {
	res.Verdict, res.Error = checker.Failed, err.Error()
	_ = results.Write(dir, res)
	return err
}

// runLoad drives a key/value cluster with the workload, records the
// measurements in res and returns the number of ops recorded.
func runLoad(ctx context.Context, s Spec, cluster backend.Cluster, hw *history.Writer, clock history.Clock, res *results.Results, log *slog.Logger) (int64, error) {
	out, err := drive(ctx, loadOptions{
		Config: s.Config, Cluster: cluster, History: hw, Clock: clock, Nemesis: s.Nemesis,
		Progress: s.Progress, Logger: log,
	})
	if err != nil {
		return 0, err
	}
	res.MeasureS = out.Measured.Seconds()
	res.Phases, res.Ops, res.Series, res.Events, res.Faults = out.Phases, out.Stats, out.Series, out.Events, out.Faults
	res.Bare = out.Bare
	res.Clients = clientSettings(&s.Config, cluster)
	if out.Interrupted {
		res.Error = "interrupted before the end of the run"
	}
	return out.Ops, nil
}

// clientSettings is how the run drives cluster: the workload's clients,
// loop and op timeout, and the cluster's own client settings when it
// declares them (backend.ClientSetup).
func clientSettings(cfg *workloads.Config, cluster backend.Cluster) *results.Clients {
	w := cfg.Workload
	c := &results.Clients{Clients: w.Clients, Loop: w.Loop, Rate: w.Rate, OpTimeoutS: w.Timeout.D().Seconds()}
	if cs, ok := cluster.(backend.ClientSetup); ok {
		s := cs.ClientSettings()
		c.Conns, c.Library, c.Sharing, c.ReadMode, c.Timeouts = s.Conns, s.Library, s.Sharing, s.ReadMode, s.Timeouts
	}
	return c
}

// rpcStats converts a backend's transport statistics for results.json.
func rpcStats(in map[string]backend.RPCStat) map[string]results.RPCStat {
	out := make(map[string]results.RPCStat, len(in))
	for k, v := range in {
		out[k] = results.RPCStat{Calls: v.Calls, Bytes: v.Bytes}
	}
	return out
}

// Label names a config's workload in results: "ycsb-a" for a YCSB preset,
// else the workload kind.
func Label(cfg *workloads.Config) string {
	if cfg.Workload.YCSB != "" {
		return "ycsb-" + cfg.Workload.YCSB
	}
	return cfg.Workload.Kind
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
