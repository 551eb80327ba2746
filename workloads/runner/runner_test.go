package runner

import (
	"bytes"
	"context"
	"testing"
	"time"

	"faultline/workloads"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

func testConfig(mut func(*workloads.Config)) workloads.Config {
	c := workloads.Config{
		Seed:    1,
		Backend: workloads.Backend{Name: "fake", Nodes: 1, Mode: "inprocess"},
		Workload: workloads.Workload{
			Kind: workloads.KindKV, Mix: workloads.Mix{Get: 0.5, Put: 0.3, Append: 0.1, RMW: 0.1},
			Keys: 20, Clients: 4, Duration: workloads.Duration(300 * time.Millisecond),
		},
	}
	if mut != nil {
		mut(&c)
	}
	c.Defaults()
	return c
}

func runFake(t *testing.T, f *fakeCluster, cfg workloads.Config, nem Nemesis) (*loadResult, []history.Op, []history.Event) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	var buf bytes.Buffer
	hw := history.NewWriter(&buf)
	res, err := drive(context.Background(), loadOptions{Config: cfg, Cluster: f, History: hw, Clock: history.NewClock(), Nemesis: nem})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := hw.Flush(); err != nil {
		t.Fatal(err)
	}
	ops, events, err := history.ReadAll(&buf)
	if err != nil {
		t.Fatalf("read back history: %v", err)
	}
	return res, ops, events
}

func TestClosedLoopRecordsEveryOp(t *testing.T) {
	f := newFake()
	res, ops, _ := runFake(t, f, testConfig(nil), nil)
	if len(ops) == 0 {
		t.Fatal("no ops recorded")
	}
	if len(ops) != f.ops {
		t.Fatalf("history has %d ops, the backend served %d", len(ops), f.ops)
	}
	if int64(len(ops)) != res.Ops {
		t.Fatalf("Result.Ops = %d, history %d", res.Ops, len(ops))
	}
	// RMW is one measured op made of two history ops.
	var measured int64
	for k, s := range res.Stats {
		if k != "all" {
			measured += s.Count
		}
	}
	rmw := res.Stats["rmw"].Count
	if measured+rmw != int64(len(ops)) {
		t.Fatalf("measured %d ops (+%d rmw) but the history has %d", measured, rmw, len(ops))
	}
	clients := map[int]int64{}
	for _, op := range ops {
		if op.Outcome != history.OK {
			t.Fatalf("op %v not ok on a healthy backend", op)
		}
		if op.Invoke < clients[op.Client] {
			t.Fatalf("client %d overlaps its own ops: %v", op.Client, op)
		}
		clients[op.Client] = op.Complete
	}
	if len(clients) != 4 {
		t.Fatalf("%d clients issued ops, want 4", len(clients))
	}
	if s := res.Stats["all"]; s.P50US <= 0 || s.MaxUS < s.P99US || s.OpsPerSec <= 0 {
		t.Fatalf("implausible stats %+v", s)
	}
}

func TestWarmupNotCounted(t *testing.T) {
	cfg := testConfig(func(c *workloads.Config) {
		c.Workload.Warmup = workloads.Duration(200 * time.Millisecond)
		c.Workload.Duration = 0
		c.Workload.Ops = 100
		c.Workload.Mix = workloads.Mix{Get: 1}
	})
	res, ops, _ := runFake(t, newFake(), cfg, nil)
	if got := res.Stats["all"].Count; got != 100 {
		t.Fatalf("measured %d ops, want exactly the 100 of the op limit", got)
	}
	if len(ops) <= 100 {
		t.Fatalf("history has %d ops: warm-up ops missing", len(ops))
	}
	if len(res.Phases) != 2 || res.Phases[0].Name != "warmup" || res.Phases[0].Measured || res.Phases[1].Ops != 100 {
		t.Fatalf("phases %+v", res.Phases)
	}
}

// TestOpenLoopShowsStall: a backend that stalls for a second must show the
// stall in open-loop latency, even though only the ops already in flight
// were actually waiting on it; a closed loop hides most of it.
func TestOpenLoopShowsStall(t *testing.T) {
	cfg := testConfig(func(c *workloads.Config) {
		c.Workload.Loop = workloads.LoopOpen
		c.Workload.Rate = 400
		c.Workload.Duration = workloads.Duration(2500 * time.Millisecond)
		c.Workload.Mix = workloads.Mix{Get: 1}
	})
	f := newFake()
	stop := time.AfterFunc(700*time.Millisecond, func() { f.stallFor(time.Second) })
	defer stop.Stop()
	res, _, _ := runFake(t, f, cfg, nil)
	all := res.Stats["all"]
	if all.MaxUS < 900_000 {
		t.Fatalf("open loop max latency %dµs, want >= 0.9 s: the stall is hidden", all.MaxUS)
	}
	// About 400 ops/s were due during the stall: roughly 40% of the ops
	// should carry part of it, so p90 is large too.
	if all.P90US < 200_000 {
		t.Fatalf("open loop p90 %dµs, want >= 200ms: stalled ops were not accounted", all.P90US)
	}
	// Every op of the schedule is either issued or counted as missed
	// (intended before the phase ended, never sent).
	missed := res.Phases[len(res.Phases)-1].Missed
	if got, want := float64(all.Count+missed), 400*2.5; got < want*0.95 || got > want*1.05 {
		t.Fatalf("%d ops issued + %d missed, want about %v: the schedule was not accounted", all.Count, missed, want)
	}

	// The same run without a stall is fast, so the assertions above can fail.
	res, _, _ = runFake(t, newFake(), cfg, nil)
	if p90 := res.Stats["all"].P90US; p90 >= 200_000 {
		t.Fatalf("healthy open loop p90 %dµs", p90)
	}
}

func TestNemesisEventsRecorded(t *testing.T) {
	nem := &fakeNemesis{}
	cfg := testConfig(nil)
	res, ops, events := runFake(t, newFake(), cfg, nem)
	if !nem.setup || !nem.healed {
		t.Fatalf("nemesis setup %v healed %v", nem.setup, nem.healed)
	}
	// After the heal, every key was read once, and those reads are in
	// the history after the last measured phase.
	if fr := res.FinalRead; fr.Keys != cfg.Workload.Keys || fr.Read != fr.Keys || fr.Failed != 0 {
		t.Fatalf("final read %+v, want all %d keys read", fr, cfg.Workload.Keys)
	}
	end := res.Phases[len(res.Phases)-1].EndNS
	finalKeys := map[string]bool{}
	for _, op := range ops {
		if op.Invoke >= end && op.Kind == history.Get && op.Outcome == history.OK {
			finalKeys[op.Key] = true
		}
	}
	if len(finalKeys) != cfg.Workload.Keys {
		t.Fatalf("%d distinct keys read after the run, want %d", len(finalKeys), cfg.Workload.Keys)
	}
	var sawFinal bool
	for _, e := range events {
		sawFinal = sawFinal || e.Kind == "final-read"
	}
	if !sawFinal {
		t.Fatal("no final-read event")
	}
	var window, point bool
	for _, e := range events {
		if e.Kind == "pause" && e.Stop > e.Start {
			window = true
		}
		if e.Kind == "leader" && e.Stop == e.Start {
			point = true
		}
	}
	if !window || !point {
		t.Fatalf("events %+v: want a pause window and a leader point", events)
	}
}

func TestPhasesRunInOrderWithOverrides(t *testing.T) {
	cfg := testConfig(func(c *workloads.Config) {
		c.Workload.Duration = 0
		c.Workload.Mix = workloads.Mix{Get: 1}
		c.Phases = []workloads.Phase{
			{Name: "reads", Ops: 200},
			{Name: "writes", Ops: 100, Mix: &workloads.Mix{Put: 1}},
			{Name: "paced", Duration: workloads.Duration(500 * time.Millisecond), Loop: workloads.LoopOpen, Rate: 200},
		}
	})
	res, ops, _ := runFake(t, newFake(), cfg, nil)
	if len(res.Phases) != 3 {
		t.Fatalf("phases %+v", res.Phases)
	}
	for i, want := range []string{"reads", "writes", "paced"} {
		p := res.Phases[i]
		if p.Name != want || !p.Measured || p.EndNS < p.StartNS || (i > 0 && p.StartNS < res.Phases[i-1].EndNS) {
			t.Fatalf("phase %d = %+v, want %q after the previous one", i, p, want)
		}
	}
	if res.Phases[0].Ops != 200 || res.Phases[1].Ops != 100 {
		t.Fatalf("op limits not kept: %+v", res.Phases)
	}
	// Ops of the writes phase are all puts, those of the reads phase gets.
	for _, op := range ops {
		in := func(p results.Phase) bool { return op.Invoke >= p.StartNS && op.Complete <= p.EndNS }
		if in(res.Phases[0]) && op.Kind != history.Get || in(res.Phases[1]) && op.Kind != history.Put {
			t.Fatalf("op %v does not follow its phase's mix", op)
		}
	}
	if paced := res.Phases[2].Ops; paced < 80 || paced > 101 {
		t.Fatalf("open-loop phase at 200 ops/s for 0.5s issued %d ops, want about 100", paced)
	}
}
