package checker

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"faultline/workloads/history"
)

// TestKeyedFileAgrees: a history written by history.Writer, read back split
// by key (as bench check reads it) and judged by the checker ForKeyed picks,
// gets the very result the in-memory path (ForHistory on the flat ops)
// gets: kv and register histories of correct and broken stores, and an
// append history.
func TestKeyedFileAgrees(t *testing.T) {
	seed := testSeed(t)
	kv := simConfig{seed: seed, workload: kvWorkload, clients: 8, ops: 2_000, keys: 20, readFrac: 0.5, infoFrac: 0.02, failFrac: 0.02}
	for _, tc := range []struct {
		name string
		cfg  func(*simConfig)
	}{
		{"kv", func(*simConfig) {}},
		{"kv stale reads", func(c *simConfig) { c.staleFrac = 0.05 }},
		{"kv lost writes", func(c *simConfig) { c.loseFrom = 1 }},
		{"register", func(c *simConfig) { c.workload = registerWorkload }},
		{"register stale reads", func(c *simConfig) { c.workload, c.staleFrac = registerWorkload, 0.05 }},
		{"append", func(c *simConfig) { c.workload = appendWorkload }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := kv
			tc.cfg(&cfg)
			ops := simulate(cfg)
			events := []history.Event{{Kind: "partition", Start: ms(1), Stop: ms(9), Nodes: []string{"n1"}, Desc: "isolate n1"}}
			dir := t.TempDir()
			path := filepath.Join(dir, "history.jsonl")
			if err := history.WriteFile(path, ops, events); err != nil {
				t.Fatal(err)
			}
			k, err := history.ReadKeyedFile(path)
			if err != nil {
				t.Fatal(err)
			}
			flatDir, keyedDir := t.TempDir(), t.TempDir()
			want := ForHistory(ops, time.Minute).Check(context.Background(), Run{Ops: ops, Events: events, Dir: flatDir})
			got := ForKeyed(k, time.Minute).Check(context.Background(), Run{Keyed: k, Events: k.Events, Dir: keyedDir})
			if want.Visualization != "" {
				a, aerr := os.ReadFile(want.Visualization)
				b, berr := os.ReadFile(got.Visualization)
				if aerr != nil || berr != nil || !bytes.Equal(a, b) {
					t.Fatalf("visualizations differ (%d and %d bytes; %v, %v)", len(a), len(b), aerr, berr)
				}
				want.Visualization = filepath.Join(keyedDir, filepath.Base(want.Visualization))
			}
			want.Elapsed, got.Elapsed = 0, 0
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("keyed file: %s\nflat ops:   %s", got.Summary(), want.Summary())
			}
			t.Log(got.Summary())
		})
	}
}
