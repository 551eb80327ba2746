package runner

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/gen"
	"faultline/workloads/history"
	"faultline/workloads/maelstrom"
	"faultline/workloads/results"
)

// MaelstromWorkload is the workload of a config whose kind is one of
// workloads.MaelstromKinds, with the config's clients and options.
func MaelstromWorkload(cfg *workloads.Config) (maelstrom.Workload, error) {
	opts := maelstrom.Options{Clients: cfg.Workload.Clients}
	if m := cfg.Workload.Maelstrom; m != nil {
		opts.Topology, opts.KeyCount, opts.MaxTxnLength, opts.MaxWritesPerKey = m.Topology, m.KeyCount, m.MaxTxnLength, m.MaxWritesPerKey
	}
	w, err := maelstrom.New(cfg.Workload.Kind, opts)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	return w, nil
}

// requestTypes are the request types a Maelstrom workload's clients send,
// each measured under its own name; any other is measured as "other".
var requestTypes = []string{"", "other", "echo", "generate", "broadcast", "read", "topology", "add", "write", "cas",
	"send", "poll", "commit_offsets", "list_committed_offsets", "txn"}

// mclient is one Maelstrom client of the run: its generator, its recorder
// and its measurements, used by its own goroutine only.
type mclient struct {
	gen      maelstrom.Generator
	rec      *maelstrom.Recorder
	stats    *samples
	last     history.Op // the op its recorder recorded last
	measured bool
}

// mrun is the state of a Maelstrom workload's run.
type mrun struct {
	*run
	w     maelstrom.Workload
	kinds map[string]gen.Kind
	mu    sync.Mutex
	ops   []history.Op
}

// record keeps op for the workload's check and writes it to the history.
func (m *mrun) record(op history.Op) {
	m.mu.Lock()
	m.ops = append(m.ops, op)
	m.mu.Unlock()
	if err := m.o.History.WriteOp(op); err != nil {
		m.log.Error("history write", "err", err)
	}
}

// timeoutInvoker bounds each request by the op timeout.
type timeoutInvoker struct {
	inv     backend.Invoker
	timeout time.Duration
}

func (t timeoutInvoker) Invoke(ctx context.Context, node, f string, args []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	return t.inv.Invoke(ctx, node, f, args)
}

// runMaelstrom drives cluster with a Maelstrom workload: setup, the
// clients through warm-up and the measured phases with the nemesis
// active, then, after the heal and the recovery wait, the final phase. It
// records the measurements in res and returns the number of ops recorded
// and the checks, to run once the network's statistics are known: the
// workload's, and the availability goal's when the config sets one.
func runMaelstrom(ctx context.Context, s Spec, cluster backend.Cluster, hw *history.Writer, clock history.Clock,
	res *results.Results, log *slog.Logger) (int64, func(context.Context, *results.Network) []results.Check, error) {
	cfg := s.Config
	w, err := invokerWorkload(&cfg)
	if err != nil {
		return 0, nil, err
	}
	m := &mrun{w: w, kinds: map[string]gen.Kind{}, run: &run{
		o:   loadOptions{Config: cfg, Cluster: cluster, History: hw, Clock: clock, Nemesis: s.Nemesis, Progress: s.Progress, Logger: log},
		cfg: cfg, log: log, clock: clock, coll: newCollector(clock.Start()), events: newEvents(clock, hw),
	}}
	m.coll.names = requestTypes
	for i, t := range requestTypes {
		m.kinds[t] = gen.Kind(i)
	}
	nodes := cluster.Nodes()
	if len(nodes) == 0 {
		return 0, nil, fmt.Errorf("runner: backend %q started no nodes", cfg.Backend.Name)
	}
	timeout := cfg.Workload.Timeout.D()
	clients := make([]*mclient, cfg.Workload.Clients)
	invs := make([]backend.Invoker, len(clients))
	for i := range clients {
		c, err := cluster.Client(ctx, i)
		if err != nil {
			return 0, nil, fmt.Errorf("runner: client %d: %w", i, err)
		}
		defer c.Close()
		inv, ok := c.(backend.Invoker)
		if !ok {
			return 0, nil, fmt.Errorf("runner: workload kind %q needs clients that take Maelstrom requests (backend.Invoker); backend %q's do not",
				cfg.Workload.Kind, cfg.Backend.Name)
		}
		invs[i] = timeoutInvoker{inv, timeout}
		mc := &mclient{gen: w.Client(i+1, cfg.Seed*1_000_003+int64(i+1)), stats: m.coll.newSamples()}
		mc.rec = &maelstrom.Recorder{Invoker: invs[i], Client: i + 1, Own: nodes[i%len(nodes)], Now: clock.Now,
			Sink: func(op history.Op) { mc.last = op; m.record(op) }}
		clients[i] = mc
	}
	harness := &maelstrom.Recorder{Invoker: invs[0], Client: 0, Own: nodes[0], Now: clock.Now, Sink: m.record}
	if s.Nemesis != nil {
		if err := s.Nemesis.Setup(ctx, cluster); err != nil {
			return 0, nil, fmt.Errorf("runner: nemesis setup: %w", err)
		}
	}
	stopObs := observe(cluster, m.events)
	defer stopObs()
	if err := w.Setup(ctx, nodes, harness); err != nil {
		return 0, nil, fmt.Errorf("runner: %s setup: %w", w.Name(), err)
	}

	plan := cfg.MeasuredPhases()
	var phases []results.Phase
	phases, m.planned = planPhases(&cfg, plan)
	m.phase.Store(&phases[0].Name)
	prog := m.startProgress(ctx)
	nem := &nemesisLoop{n: s.Nemesis, ev: m.events, log: log}
	var measured time.Duration
	interrupted := false
	pi := 0
	for i := range phases {
		p := &phases[i]
		spec := workloads.Phase{Name: "warmup", Duration: cfg.Workload.Warmup, Loop: p.Loop, Rate: p.Rate}
		if p.Measured {
			spec = plan[pi]
			pi++
			nem.start(ctx)
		}
		m.phase.Store(&p.Name)
		m.maelstromPhase(ctx, spec, p, clients)
		if p.Measured {
			measured += time.Duration(p.EndNS - p.StartNS)
		}
		res.Phases = phases[:i+1]
		if ctx.Err() != nil {
			interrupted = true
			break
		}
	}
	nem.stop(ctx)
	if !interrupted {
		m.phase.Store(ptr("final"))
		interrupted = !m.finalPhase(ctx, nodes, harness)
	}
	close(prog.stop)
	<-prog.done
	res.Events, res.Faults = m.events.closeAll(), m.events.Faults()
	res.MeasureS = measured.Seconds()
	res.Ops, res.Series = m.coll.snapshot(measured.Seconds())
	res.Clients = clientSettings(&cfg, cluster)
	if interrupted {
		res.Error = "interrupted before the end of the run"
	}
	m.mu.Lock()
	ops := m.ops
	m.mu.Unlock()
	check := func(ctx context.Context, n *results.Network) []results.Check {
		run := maelstrom.Run{Ops: ops, Events: res.Events, Dir: s.Dir}
		if n != nil {
			run.Net = &maelstrom.NetStats{All: n.All.Sent, Clients: n.Clients.Sent, Servers: n.Servers.Sent}
		}
		start := time.Now()
		r := w.Check(ctx, run)
		checks := []results.Check{results.CheckOf(w.Name(), &r, time.Since(start))}
		if c, ok := availabilityCheck(&cfg, ops); ok {
			checks = append(checks, c)
		}
		return checks
	}
	return int64(len(ops)), check, nil
}

// maelstromPhase runs one phase on every client, closed or open loop,
// and fills in p's times and counts.
func (m *mrun) maelstromPhase(ctx context.Context, spec workloads.Phase, p *results.Phase, clients []*mclient) {
	pctx, cancel, ph := startPhase(ctx, spec, p, m.clock)
	defer cancel()
	// issued counts every op taken; past a limit, one refused take per
	// client too (clamped below).
	take := func() bool { return ph.issued.Add(1) <= ph.limit || ph.limit == 0 }
	var wg sync.WaitGroup
	for i, c := range clients {
		c.measured = p.Measured
		wg.Go(func() {
			defer c.stats.flush()
			if spec.Loop == workloads.LoopOpen {
				openSchedule(pctx, ph, i, len(clients), take, func(at time.Time) { m.maelstromOp(ctx, c, at) })
				return
			}
			for pctx.Err() == nil && take() {
				m.maelstromOp(ctx, c, time.Time{})
			}
		})
	}
	wg.Wait()
	p.EndNS = m.clock.Now()
	p.Ops, p.Missed = ph.issued.Load(), ph.missed.Load()
	if ph.limit > 0 && p.Ops > ph.limit {
		p.Ops = ph.limit
	}
}

// maelstromOp makes c's next request, records it and measures it from
// intended (an open loop's scheduled start) or its invocation.
func (m *mrun) maelstromOp(ctx context.Context, c *mclient, intended time.Time) {
	req := c.gen.Next()
	reply, err := c.rec.Do(ctx, "", req)
	c.gen.Update(req, reply, err)
	op := c.last
	from := op.Invoke
	if !intended.IsZero() {
		from = int64(intended.Sub(m.clock.Start()))
	}
	k, ok := m.kinds[req.F]
	if !ok {
		k = m.kinds["other"]
	}
	c.stats.add(sample{kind: k, out: op.Outcome, measured: c.measured, err: errorKind(err),
		done: time.Duration(op.Complete), lat: time.Duration(op.Complete - from)})
}

// availabilityCheck judges ops against the config's availability goal
// (Maelstrom's --availability), if it sets one: the measured and required
// fractions in its summary, the counts in its details.
func availabilityCheck(cfg *workloads.Config, ops []history.Op) (results.Check, bool) {
	var goal string
	if m := cfg.Workload.Maelstrom; m != nil {
		goal = m.Availability
	}
	required, set, err := workloads.ParseAvailability(goal)
	if err != nil || !set { // a validated config has no error here
		return results.Check{}, false
	}
	start := time.Now()
	a := maelstrom.MeasureAvailability(ops)
	r := a.Check(required)
	c := results.CheckOf(maelstrom.AvailabilityCheck, &r, time.Since(start))
	c.Details = map[string]int64{"ok": int64(a.OK), "requests": int64(a.Requests)}
	return c, true
}
