package main

import (
	"path/filepath"
	"testing"
)

// TestShippedConfigsLoad: every example config passes the harness's own
// checks (registered backend, kind matching backend).
func TestShippedConfigsLoad(t *testing.T) {
	files, err := filepath.Glob("../workloads/configs/*.yaml")
	if err != nil || len(files) < 8 {
		t.Fatalf("example configs: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			fl := &runFlags{config: f, set: map[string]bool{}}
			l, err := newRegistries().loadConfig(fl)
			if err != nil {
				t.Fatal(err)
			}
			if l.cfg.Compare == nil {
				return
			}
			// A comparison: every run it expands to passes the same checks.
			runs := l.plan
			if len(runs) < 2 {
				t.Fatalf("a comparison of %d runs", len(runs))
			}
			for _, r := range runs {
				if r.Config.Backend.Name != r.Backend {
					t.Errorf("run %s/%s has backend %q", r.Case, r.Backend, r.Config.Backend.Name)
				}
			}
		})
	}
}

// TestCompareEtcdConfig pins what issue 10 asks of compare-etcd.yaml: the
// five cases on raftkv and etcd, 3 nodes, 64 clients, fsync where it says,
// the default fault schedule with etcd's peer traffic proxied.
func TestCompareEtcdConfig(t *testing.T) {
	fl := &runFlags{config: "../workloads/configs/compare-etcd.yaml", set: map[string]bool{}}
	l, err := newRegistries().loadConfig(fl)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range l.plan {
		c := r.Config
		seen[r.Case+"/"+r.Backend]++
		if c.Backend.Nodes != 3 || c.Workload.Clients != 64 || c.Backend.Mode != "process" {
			t.Errorf("%s/%s: %d nodes, %d clients, mode %s", r.Case, r.Backend, c.Backend.Nodes, c.Workload.Clients, c.Backend.Mode)
		}
		if want := r.Case != "put-nofsync"; *c.Backend.Fsync != want {
			t.Errorf("%s/%s: fsync %v", r.Case, r.Backend, *c.Backend.Fsync)
		}
		if hasFaults := !c.Faults.IsZero(); hasFaults != (r.Case == "faults") {
			t.Errorf("%s/%s: faults %v", r.Case, r.Backend, hasFaults)
		}
		if c.BareOn() == (r.Case == "faults") {
			t.Errorf("%s/%s: bare %+v (want the harness/bare rounds in every speed case)", r.Case, r.Backend, c.Bare)
		}
		if r.Case == "faults" && r.Backend == "etcd" && c.Backend.Options["peer-proxy"] != "true" {
			t.Errorf("etcd under faults without peer proxies: %v", c.Backend.Options)
		}
	}
	for _, cs := range []string{"put-fsync", "put-nofsync", "get", "ycsb-a", "faults"} {
		for _, b := range []string{"raftkv", "etcd"} {
			want := 3
			if cs == "faults" {
				want = 1
			}
			if seen[cs+"/"+b] != want {
				t.Errorf("%s on %s: %d rounds, want %d", cs, b, seen[cs+"/"+b], want)
			}
		}
	}
}

func TestDefaultConfigUsesDefaultBackend(t *testing.T) {
	l, err := newRegistries().loadConfig(&runFlags{set: map[string]bool{}})
	if err != nil || l.nem == nil {
		t.Fatalf("default config: %v (want the default fault schedule)", err)
	}
	cfg := l.cfg
	if cfg.Seed == 0 {
		t.Fatal("no seed chosen before the fault schedule was built from it")
	}
	if cfg.Backend.Name != newRegistries().defaultBackend || cfg.Backend.Mode != "process" {
		t.Fatalf("default backend %q mode %q", cfg.Backend.Name, cfg.Backend.Mode)
	}
}
