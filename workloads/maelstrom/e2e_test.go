package maelstrom

import (
	"context"
	"sync"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// drive runs w against cluster as the runner will: setup, three clients
// taking turns for rounds requests each, the final phase, the check.
func drive(t *testing.T, w Workload, cluster *fakeCluster, rounds int) checker.Result {
	t.Helper()
	ctx := context.Background()
	nodes := []string{"n0", "n1", "n2"}
	var mu sync.Mutex
	var now int64
	clock := func() int64 { mu.Lock(); defer mu.Unlock(); now += 1000; return now }
	var ops []history.Op
	sink := func(op history.Op) {
		if err := op.Validate(); err != nil {
			t.Fatalf("recorded %v: %v", op, err)
		}
		ops = append(ops, op)
	}
	harness := &Recorder{Invoker: cluster.as(""), Client: 0, Now: clock, Sink: sink}
	if err := w.Setup(ctx, nodes, harness); err != nil {
		t.Fatal(err)
	}
	var gens []Generator
	var recs []*Recorder
	for c := 1; c <= 3; c++ {
		gens = append(gens, w.Client(c, 42))
		recs = append(recs, &Recorder{Invoker: cluster.as(nodes[c-1]), Client: c, Own: nodes[c-1], Now: clock, Sink: sink})
	}
	for range rounds {
		for i, g := range gens {
			req := g.Next()
			reply, err := recs[i].Do(ctx, "", req)
			g.Update(req, reply, err)
		}
	}
	events := []history.Event{FinalPhase(clock())}
	if err := w.Final(ctx, nodes, harness); err != nil {
		t.Fatal(err)
	}
	return w.Check(ctx, Run{Ops: ops, Events: events, Net: &NetStats{All: int64(len(ops)) * 2}})
}

// TestEndToEnd drives every workload against a correct in-memory cluster
// (valid; the transactional ones unknown) and the broken nodes the issue
// lists against theirs (invalid, with the anomaly the bug makes).
func TestEndToEnd(t *testing.T) {
	catches := map[string]checker.AnomalyKind{
		"unique-ids": checker.DuplicateID,
		"broadcast":  checker.LostValue, // a node that forgets values
		"g-counter":  checker.CounterOutOfBounds,
		"pn-counter": checker.CounterOutOfBounds, // double-counts a retried add
		"lin-kv":     checker.NonLinearizable,    // stale reads
		"kafka":      checker.OffsetReuse,        // reuses offsets
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			w := mustWorkload(t, name)
			res := drive(t, w, newFakeCluster(name, false), 150)
			want := checker.Valid
			if name == "txn-list-append" || name == "txn-rw-register" {
				want = checker.Unknown
			}
			wantVerdict(t, res, want)
			if res.Ops < 100 {
				t.Fatalf("only %d ops judged: %s", res.Ops, res.Summary())
			}
			kind, ok := catches[name]
			if !ok {
				return
			}
			res = drive(t, w, newFakeCluster(name, true), 150)
			wantVerdict(t, res, checker.Invalid)
			if res.Counts[kind] == 0 {
				t.Fatalf("broken %s: %s\n%s", name, res.Summary(), anomalies(res))
			}
		})
	}
}

// TestBroadcastSetupSendsTopology checks the topology message.
func TestBroadcastSetupSendsTopology(t *testing.T) {
	w, err := New("broadcast", Options{Clients: 1, Topology: "line"})
	if err != nil {
		t.Fatal(err)
	}
	c := newFakeCluster("broadcast", false)
	if err := w.Setup(context.Background(), []string{"n0", "n1", "n2"}, c.as("")); err != nil {
		t.Fatal(err)
	}
	if len(c.topology["n1"]) != 2 || c.topology["n0"][0] != "n1" {
		t.Fatalf("topology %v", c.topology)
	}
}
