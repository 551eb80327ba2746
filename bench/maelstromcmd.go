package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	bmaelstrom "faultline/system/backend/maelstrom"
	"faultline/workloads"
)

// cmdMaelstrom runs `bench maelstrom test ...`: Maelstrom's command line
// turned into a run config (maelstromOpts.config), then the same run as
// `bench -config`: results folder, results.json, report.html, exit status
// by verdict.
func cmdMaelstrom(ctx context.Context, reg *registries, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(stderr, "usage: bench maelstrom test -w WORKLOAD --bin PATH [flags] [-- NODE ARGS...]")
		return exitFailed
	}
	o, err := parseMaelstromFlags(args[1:], stderr)
	if err != nil {
		return parseExit(err)
	}
	cfg, err := o.config()
	if err != nil {
		fmt.Fprintf(stderr, "bench maelstrom test: %v\n", err)
		return exitFailed
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "bench maelstrom test: %v\n", err)
		return exitFailed
	}
	if cfg.Seed == 0 {
		cfg.Seed = time.Now().UnixNano()%1_000_000_000 + 1
	}
	nem, err := reg.checkRun(cfg, nil, false)
	if err != nil {
		fmt.Fprintf(stderr, "bench maelstrom test: %v\n", err)
		return exitFailed
	}
	return withStderr(reg, stderr).runOne(ctx, cfg, nem, false, stdout, stderr)
}

// withStderr is reg with the maelstrom backend copying what options
// log-stderr, log-net-send and log-net-recv show to stderr, the command's
// own, one write at a time: the copy of the nodes' stderr and the message
// log write from goroutines of their own.
func withStderr(reg *registries, stderr io.Writer) *registries {
	r := *reg
	r.backends = maps.Clone(reg.backends)
	e := r.backends[bmaelstrom.Name]
	e.backend = bmaelstrom.Backend{Stderr: &syncWriter{w: stderr}}
	r.backends[bmaelstrom.Name] = e
	return &r
}

// syncWriter serializes the writes to w.
type syncWriter struct {
	sync.Mutex
	w io.Writer
}

func (s *syncWriter) Write(p []byte) (n int, err error) {
	s.Lock()
	n, err = s.w.Write(p)
	s.Unlock()
	return n, err
}

// config is the run config of Maelstrom's command line: the maelstrom
// backend running --bin on --node-count nodes (--log-stderr and
// --log-net-send/recv its options of those names), the workload -w with
// --concurrency clients for --time-limit, an open loop at --rate (a
// closed loop for rate 0), its --key-count, --max-txn-length,
// --max-writes-per-key and --availability, and --nemesis as a fault
// schedule.
func (o *maelstromOpts) config() (*workloads.Config, error) {
	args, err := json.Marshal(o.args)
	if err != nil {
		return nil, fmt.Errorf("node arguments: %w", err)
	}
	cfg := &workloads.Config{
		Name: "maelstrom-" + o.workload, Seed: o.seed, Out: o.out,
		Backend: workloads.Backend{Name: "maelstrom", Nodes: o.nodeCount, Options: map[string]string{
			"bin": o.bin, "latency": strconv.FormatFloat(float64(o.latency)/float64(time.Millisecond), 'f', -1, 64),
		}},
		Workload: workloads.Workload{
			Kind: o.workload, Clients: o.concurrency, Duration: workloads.Duration(o.timeLimit),
			Loop: workloads.LoopClosed, Timeout: workloads.Duration(max(workloads.DefaultTimeout, 20*o.latency)),
			Maelstrom: &workloads.Maelstrom{Topology: o.topology, KeyCount: o.keyCount, MaxTxnLength: o.maxTxnLength,
				MaxWritesPerKey: o.maxWritesPerKey, Availability: o.availability},
		},
	}
	if len(o.args) > 0 {
		cfg.Backend.Options["args"] = string(args)
	}
	for opt, on := range map[string]bool{bmaelstrom.OptLogStderr: o.logStderr, bmaelstrom.OptLogNetSend: o.logNetSend,
		bmaelstrom.OptLogNetRecv: o.logNetRecv} {
		if on {
			cfg.Backend.Options[opt] = "true"
		}
	}
	if o.rate > 0 {
		cfg.Workload.Loop, cfg.Workload.Rate = workloads.LoopOpen, o.rate
	}
	if len(o.nemesis) > 0 {
		doc, err := nemesisSchedule(o.nemesis, o.shapes, o.nemesisInterval, o.timeLimit)
		if err != nil {
			return nil, err
		}
		cfg.Faults = *doc
	}
	return cfg, nil
}

// nemesisSchedule is the fault schedule of Maelstrom's --nemesis: each
// fault (a partition, a kill or a pause of a random node) starts every
// 2·interval and lasts interval, as Maelstrom's nemesis alternates between
// doing and undoing it every interval. The partitions' shapes take turns,
// one per window, in the order given. The faults heal a tenth of the time
// limit (at most 5 s) before it ends; the first starts after interval, or
// earlier when the run is too short for that, and lasts at most until the
// heal. A shape whose first turn would come after the heal is an error.
func nemesisSchedule(faults, shapes []string, interval, limit time.Duration) (*yaml.Node, error) {
	recovery := min(limit/10, 5*time.Second)
	heal := limit - recovery
	start := min(interval, heal/2)
	length := min(interval, heal-start)
	if start <= 0 || length <= 0 {
		return nil, fmt.Errorf("--time-limit %v leaves no time for faults", limit)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "recovery: %v\nschedule:\n", recovery)
	entry := func(fault, fields string, every, start time.Duration) {
		fmt.Fprintf(&b, "  - fault: %s\n%s    every: %v\n    start: %v\n    for: %v\n", fault, fields, every, start, length)
	}
	for _, f := range faults {
		if f != "partition" {
			entry(f, "    target: random\n", 2*interval, start)
			continue
		}
		every := 2 * interval * time.Duration(len(shapes))
		for i, shape := range shapes {
			at := start + 2*interval*time.Duration(i)
			if at+length > heal {
				return nil, fmt.Errorf("--partition-shape %s: %d shapes take turns every %v (2 x --nemesis-interval), so %s would first start at %v, after the faults heal at %v (--time-limit %v); give a longer --time-limit or fewer shapes",
					strings.Join(shapes, ","), len(shapes), 2*interval, shape, at, heal, limit)
			}
			entry(f, shapeFields(shape), every, at)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil || len(doc.Content) != 1 {
		return nil, fmt.Errorf("nemesis schedule: %v", err)
	}
	return doc.Content[0], nil
}

// shapeFields are the schedule fields of a --partition-shape: chaos's
// shape of that name (isolate and one-way pick a random node), one-way-in
// being shape one-way with direction in.
func shapeFields(shape string) string {
	if shape == "one-way-in" {
		return "    shape: one-way\n    direction: in\n"
	}
	return "    shape: " + shape + "\n"
}
