package workloads

import (
	"fmt"
	"strings"
	"testing"
)

// TestWrittenValuesAreNeverReplaced: a value the config writes is used or
// rejected at its file:line, never quietly replaced by a default or
// truncated; a second document, an unknown key and a negative duration are
// errors too.
func TestWrittenValuesAreNeverReplaced(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"fractional clients", "workload:\n  clients: 1.5\n", 2, "workload.clients: 1.5 is not an integer"},
		{"fractional keys", "workload:\n  keys: 2.25\n", 2, "workload.keys: 2.25 is not an integer"},
		{"fractional nodes", "backend:\n  nodes: 2.5\n", 2, "backend.nodes: 2.5 is not an integer"},
		{"fractional phase ops", "phases:\n  - name: a\n    ops: 10.5\n", 3, "phases[0].ops: 10.5 is not an integer"},
		{"zero clients", "workload:\n  clients: 0\n", 2, "workload.clients: 0 clients, want 1 to"},
		{"zero keys", "workload:\n  keys: 0\n", 2, "workload.keys: 0 keys, want 1 to"},
		{"zero nodes", "backend:\n  nodes: 0\n", 2, "backend.nodes: 0 nodes, want 1 to"},
		{"zero value size", "workload:\n  value_size: 0\n", 2, "workload.value_size: 0 bytes"},
		{"zero timeout", "workload:\n  timeout: 0s\n", 2, "workload.timeout: 0s, want in (0, 1h]"},
		{"zero time limit", "check:\n  time_limit: 0s\n", 2, "check.time_limit: 0s, want > 0"},
		{"empty mode", "backend:\n  mode: \"\"\n", 2, "backend.mode: \"\", want"},
		{"all-zero mix", "workload:\n  mix: {get: 0, put: 0}\n", 2, "workload.mix: all weights are zero"},
		{"empty mix", "workload:\n  mix: {}\n", 2, "workload.mix: all weights are zero"},
		{"one zero weight", "workload:\n  mix:\n    get: 0\n", 2, "workload.mix: all weights are zero"},
		{"zero hotspot", "workload:\n  distribution: hotspot\n  hotspot: {}\n", 3, "workload.hotspot.keys: 0, want a fraction"},
		{"zero reduce", "backend:\n  name: mapreduce\nworkload:\n  kind: mapreduce\njob:\n  input: [a]\n  reduce: 0\n", 7, "job.reduce: 0 reduce tasks"},
		{"zero task timeout", "workload:\n  kind: mapreduce\njob:\n  input: [a]\n  task_timeout: 0s\n", 5, "job.task_timeout: 0s, want > 0"},
		{"negative weight", "workload:\n  mix: {get: -1, put: 1}\n", 2, "workload.mix.get: weight -1, want >= 0"},
		{"negative warmup", "workload:\n  warmup: -5s\n", 2, "workload.warmup: -5s, want >= 0"},
		{"negative duration", "workload:\n  duration: -5s\n", 2, "workload.duration: -5s, want >= 0"},
		{"negative time limit", "check:\n  time_limit: -5s\n", 2, "check.time_limit: -5s, want > 0"},
		{"negative phase", "phases:\n  - name: a\n    duration: -1s\n", 3, "phases[0].duration: want a positive duration"},
		{"second document", "name: a\n---\nname: b\n", 3, "a second YAML document"},
		{"unknown key", "workload:\n  clinets: 4\n", 2, "unknown key \"clinets\""},
		{"unknown top key", "wrkload:\n  clients: 4\n", 1, "unknown key \"wrkload\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("cfg.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error, want cfg.yaml:%d ... %q", tc.line, tc.want)
			}
			var found bool
			for _, f := range Fields(err) {
				if f.File == "cfg.yaml" && f.Line == tc.line && strings.Contains(f.Error(), tc.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("error:\n%v\nwant a FieldError at cfg.yaml:%d containing %q", err, tc.line, tc.want)
			}
			if strings.Contains(err.Error(), "all weights are zero") && !strings.Contains(tc.want, "all weights are zero") {
				t.Errorf("misreported as an all-zero mix:\n%v", err)
			}
		})
	}
}

// TestWrittenValuesAreUsed: written values that are valid are used as
// written, whole numbers written as floats included, and what is not
// written still gets its default.
func TestWrittenValuesAreUsed(t *testing.T) {
	c, _, err := Parse("cfg.yaml", []byte("backend:\n  name: memory\n  nodes: 1\nworkload:\n  clients: 3.0\n  mix: {get: 1}\n  keys: 7\nphases:\n  - {name: a, ops: 100}\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Workload
	if c.Backend.Nodes != 1 || w.Clients != 3 || w.Keys != 7 || w.Mix != (Mix{Get: 1}) || c.Phases[0].Ops != 100 {
		t.Errorf("written values changed: nodes %d, %+v, phases %+v", c.Backend.Nodes, w, c.Phases)
	}
	if w.ValueSize != DefaultValueSize || w.Timeout.D() != DefaultTimeout || c.Backend.Mode != "process" {
		t.Errorf("defaults not filled: %+v", w)
	}
	for _, v := range []string{"null", "~"} {
		c, _, err := Parse("cfg.yaml", []byte(fmt.Sprintf("workload:\n  clients: %s\n", v)))
		if err != nil || c.Workload.Clients != DefaultClients {
			t.Errorf("clients: %s (unset): %v, %d clients", v, err, c.Workload.Clients)
		}
	}
}
