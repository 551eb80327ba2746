package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeMinimalRun writes a results folder with a small results.json.
func writeMinimalRun(t *testing.T, dir string, opsPerSec float64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := `{"schema":1,"name":"tiny","verdict":"valid","backend":"memory","workload":"kv","seed":9,
"started":"2026-11-23T12:00:00Z","elapsed_s":2,"measured_s":1,
"ops":{"all":{"count":10,"ok":10,"ops_per_sec":` + strconv.FormatFloat(opsPerSec, 'f', -1, 64) + `,"p99_us":900,
"percentiles":[[0,100],[50,500],[99,900],[100,1000]]}},
"series":[{"t":0,"ops":{"get":{"ok":5}},"p50_us":500,"p99_us":900,"max_us":1000},{"t":1,"ops":{"get":{"ok":5}},"p50_us":500,"p99_us":900,"max_us":1000}],
"events":[],"checks":[{"name":"linearizable","verdict":"valid","summary":"ok"}]}`
	if err := os.WriteFile(filepath.Join(dir, "results.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReportCommands(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	writeMinimalRun(t, a, 100)
	writeMinimalRun(t, b, 250)
	ctx := context.Background()
	var out strings.Builder
	page := filepath.Join(root, "cmp.html")
	if code := run(ctx, newRegistries(), []string{"compare", "-out", page, a, b}, &out, io.Discard); code != exitValid {
		t.Fatalf("compare: exit %d", code)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "×2.50") {
		t.Error("comparison lacks the 2.5× throughput ratio")
	}
	if code := run(ctx, newRegistries(), []string{"compare"}, io.Discard, io.Discard); code != exitFailed {
		t.Errorf("compare without runs: exit %d", code)
	}
	if code := run(ctx, newRegistries(), []string{"serve", "-dir", filepath.Join(root, "missing")}, io.Discard, io.Discard); code != exitFailed {
		t.Errorf("serve of a missing directory: exit %d", code)
	}
	writeRunReport(a, &out, io.Discard)
	for _, f := range []string{filepath.Join(a, "report.html"), filepath.Join(root, "index.html")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after a run: %v", err)
		}
	}
}

// TestUnknownArgumentListsSubcommands: the message for an argument that is
// no subcommand names every subcommand, and usage shows each.
func TestUnknownArgumentListsSubcommands(t *testing.T) {
	var stderr, help strings.Builder
	if code := run(context.Background(), newRegistries(), []string{"bogus"}, io.Discard, &stderr); code != exitFailed {
		t.Fatalf("exit %d, want %d", code, exitFailed)
	}
	run(context.Background(), newRegistries(), []string{"help"}, &help, io.Discard)
	for _, name := range []string{"check", "compare", "help", "list", "node", "serve"} {
		if _, ok := subcommands[name]; !ok {
			t.Errorf("no subcommand %q", name)
		}
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("the message does not name %q:\n%s", name, stderr.String())
		}
		if name != "help" && !strings.Contains(help.String(), "bench "+name) {
			t.Errorf("usage does not show bench %s", name)
		}
	}
}
