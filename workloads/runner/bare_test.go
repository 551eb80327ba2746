package runner

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"faultline/workloads"
	"faultline/workloads/history"
)

// TestBareRoundsAlternate: with a bare section the measured duration is
// split into harness phases, each paired with a bare stretch in
// alternating order; the bare loop's writes stay out of the history (its
// own key space), and both sides complete ops.
func TestBareRoundsAlternate(t *testing.T) {
	f := newFake()
	cfg := testConfig(func(c *workloads.Config) {
		c.Bare = &workloads.Bare{Rounds: 3}
		c.Workload.Duration = workloads.Duration(300 * time.Millisecond)
	})
	res, ops, _ := runFake(t, f, cfg, nil)
	b := res.Bare
	if b == nil || len(b.Rounds) != 3 {
		t.Fatalf("bare = %+v, want 3 rounds", b)
	}
	for i, r := range b.Rounds {
		want := "bare"
		if i%2 == 1 {
			want = "harness"
		}
		if r.First != want || r.BareOps == 0 || r.HarnessOps == 0 || r.BareDefinite != 0 || r.Ratio <= 0 {
			t.Errorf("round %d = %+v, want %s first, ops on both sides, no definite error", i+1, r, want)
		}
	}
	if b.Ratio <= 0 || b.BareOpsPerS <= 0 || b.HarnessOpsPerS <= 0 {
		t.Errorf("medians %+v, want positive", b)
	}
	var names []string
	for _, p := range res.Phases {
		if p.Measured {
			names = append(names, p.Name)
		}
	}
	if strings.Join(names, ",") != "main-1,main-2,main-3" {
		t.Errorf("measured phases %v, want main-1..3", names)
	}
	for _, op := range ops {
		if strings.HasPrefix(op.Key, BareKeyPrefix) {
			t.Fatalf("history holds bare key %q", op.Key)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	bareKeys := 0
	for k := range f.data {
		if strings.HasPrefix(k, BareKeyPrefix+"k") {
			bareKeys++
		}
	}
	if bareKeys == 0 {
		t.Errorf("the bare loop wrote no key of its own key space (keys: %d)", len(f.data))
	}
}

// TestBareNeedsThePower: a cluster without the bare power ends the run
// with an error naming the backend.
func TestBareNeedsThePower(t *testing.T) {
	cfg := testConfig(func(c *workloads.Config) { c.Bare = &workloads.Bare{Rounds: 2} })
	_, err := drive(context.Background(), loadOptions{Config: cfg, Cluster: plainCluster{newFake()},
		History: history.NewWriter(io.Discard), Clock: history.NewClock()})
	if err == nil || !strings.Contains(err.Error(), `backend "fake" has no bare loop`) {
		t.Fatalf("err = %v, want the missing bare power named", err)
	}
}

// TestBareScriptsFollowTheGenerator: the bare scripts are the
// generator's streams, client by client, in the bare key space.
func TestBareScriptsFollowTheGenerator(t *testing.T) {
	cfg := testConfig(nil)
	spec, err := bareSpec(&cfg, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Scripts) != cfg.Workload.Clients {
		t.Fatalf("%d scripts, want %d", len(spec.Scripts), cfg.Workload.Clients)
	}
	again, _ := bareSpec(&cfg, time.Second)
	for i := range spec.Scripts {
		if len(spec.Scripts[i]) != bareScriptLen || len(spec.Values[i]) != cfg.Workload.ValueSize {
			t.Fatalf("client %d: %d ops, value %q", i, len(spec.Scripts[i]), spec.Values[i])
		}
		for k, op := range spec.Scripts[i] {
			if op != again.Scripts[i][k] || !strings.HasPrefix(op.Key, BareKeyPrefix+"k") {
				t.Fatalf("client %d op %d: %+v (again %+v)", i, k, op, again.Scripts[i][k])
			}
		}
	}
}
