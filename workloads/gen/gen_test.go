package gen

import (
	"strings"
	"testing"

	"faultline/workloads"
	"faultline/workloads/history"
)

func workload(mut func(*workloads.Workload)) workloads.Workload {
	c := workloads.Config{Workload: workloads.Workload{Kind: workloads.KindKV}}
	if mut != nil {
		mut(&c.Workload)
	}
	c.Defaults()
	return c.Workload
}

func ops(t *testing.T, w workloads.Workload, seed int64, client, n int) []Op {
	t.Helper()
	g, err := New(w, seed)
	if err != nil {
		t.Fatal(err)
	}
	c := g.Client(client)
	out := make([]Op, n)
	for i := range out {
		out[i] = c.Next()
	}
	return out
}

func TestDeterministicPerSeedAndClient(t *testing.T) {
	w := workload(nil)
	a, b := ops(t, w, 5, 3, 200), ops(t, w, 5, 3, 200)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 5 client 3 op %d differs: %v vs %v", i, a[i], b[i])
		}
	}
	c := ops(t, w, 6, 3, 200)
	same := 0
	for i := range a {
		if a[i].Key == c[i].Key {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("seeds 5 and 6 drew the same keys")
	}
}

func TestValuesUniqueAndSized(t *testing.T) {
	w := workload(func(w *workloads.Workload) { w.ValueSize = 40; w.Mix = workloads.Mix{Put: 1, Append: 1} })
	seen := map[string]bool{}
	for client := range 3 {
		for _, op := range ops(t, w, 1, client, 500) {
			if len(op.Value) != 40 {
				t.Fatalf("value %q has %d bytes, want 40", op.Value, len(op.Value))
			}
			if seen[op.Value] {
				t.Fatalf("value %q written twice", op.Value)
			}
			seen[op.Value] = true
		}
	}
}

func TestMixProportions(t *testing.T) {
	w := workload(func(w *workloads.Workload) { w.Mix = workloads.Mix{Get: 0.5, Put: 0.2, Append: 0.1, RMW: 0.2} })
	counts := map[Kind]int{}
	const n = 20000
	for _, op := range ops(t, w, 1, 0, n) {
		counts[op.Kind]++
	}
	for k, want := range map[Kind]float64{Get: 0.5, Put: 0.2, Append: 0.1, RMW: 0.2} {
		if got := float64(counts[k]) / n; got < want-0.02 || got > want+0.02 {
			t.Errorf("%s: %.3f of ops, want %.2f", k, got, want)
		}
	}
}

func TestYCSBDInsertsGrowKeySpace(t *testing.T) {
	w := workload(func(w *workloads.Workload) { w.YCSB = "d"; w.Keys = 100 })
	if w.Mix.Insert == 0 || w.Distribution != workloads.DistLatest {
		t.Fatalf("YCSB D preset not applied: %+v", w)
	}
	g, err := New(w, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := g.Client(0)
	for range 2000 {
		c.Next()
	}
	if g.Keys() <= 100 {
		t.Fatalf("key space %d after 2000 ops with 5%% inserts, want > 100", g.Keys())
	}
}

func TestAppendTokens(t *testing.T) {
	w := workload(func(w *workloads.Workload) { w.Kind = workloads.KindAppend; w.Mix = workloads.Mix{} })
	var appends int
	for _, op := range ops(t, w, 1, 7, 300) {
		if op.Kind != Append {
			continue
		}
		appends++
		tok, n, err := history.ParseToken(op.Value)
		if err != nil || n != len(op.Value) || tok.Client != 7 || tok.Seq != appends {
			t.Fatalf("append value %q: token %+v, %d bytes, %v; want client 7 seq %d", op.Value, tok, n, err, appends)
		}
	}
	if appends == 0 {
		t.Fatal("no appends")
	}
}

func TestSetMixOverrides(t *testing.T) {
	w := workload(func(w *workloads.Workload) { w.Mix = workloads.Mix{Get: 1} })
	g, _ := New(w, 1)
	c := g.Client(0)
	c.SetMix(&workloads.Mix{Put: 1})
	if op := c.Next(); op.Kind != Put {
		t.Fatalf("after SetMix(put) got %v", op.Kind)
	}
	c.SetMix(nil)
	if op := c.Next(); op.Kind != Get || !strings.HasPrefix(op.Key, "k") {
		t.Fatalf("after SetMix(nil) got %v", op)
	}
}
