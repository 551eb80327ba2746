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
			_, _, err := loadConfig(&runFlags{config: f, set: map[string]bool{}})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDefaultConfigUsesDefaultBackend(t *testing.T) {
	cfg, nem, err := loadConfig(&runFlags{set: map[string]bool{}})
	if err != nil || nem == nil {
		t.Fatalf("default config: %v, nemesis %v (want the default fault schedule)", err, nem)
	}
	if cfg.Backend.Name != defaultBackend || cfg.Backend.Mode != "process" {
		t.Fatalf("default backend %q mode %q", cfg.Backend.Name, cfg.Backend.Mode)
	}
}
