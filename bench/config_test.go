package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestShippedConfigsLoad: every example config passes the harness's own
// checks (registered backend, kind matching backend), except those for
// backends this build does not have yet, which must say so.
func TestShippedConfigsLoad(t *testing.T) {
	files, err := filepath.Glob("../workloads/configs/*.yaml")
	if err != nil || len(files) < 8 {
		t.Fatalf("example configs: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, _, err := loadConfig(&runFlags{config: f, set: map[string]bool{}})
			if strings.Contains(f, "shardkv") {
				if _, ok := registry["shardkv"]; !ok {
					if err == nil || !strings.Contains(err.Error(), `unknown backend "shardkv"`) {
						t.Fatalf("shardkv config without a shardkv backend: err %v", err)
					}
					return
				}
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDefaultConfigUsesDefaultBackend(t *testing.T) {
	cfg, nem, err := loadConfig(&runFlags{set: map[string]bool{}})
	if err != nil || nem != nil {
		t.Fatalf("default config: %v, nemesis %v", err, nem)
	}
	if cfg.Backend.Name != defaultBackend || cfg.Backend.Mode != "process" {
		t.Fatalf("default backend %q mode %q", cfg.Backend.Name, cfg.Backend.Mode)
	}
}
