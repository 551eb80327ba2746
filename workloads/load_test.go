package workloads

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		line int
		want string
	}{
		{"unknown top key", "name: x\nbogus: 1\n", 2, `unknown key "bogus"`},
		{"unknown nested key", "workload:\n  kind: kv\n  clinets: 4\n", 3, `unknown key "clinets" (known here:`},
		{"wrong type int", "workload:\n  clients: many\n", 2, `"many" is not an integer`},
		{"wrong type float", "workload:\n  loop: open\n  rate: fast\n", 3, `"fast" is not a number`},
		{"wrong type bool", "check:\n  linearizable: maybe\n", 2, `"maybe" is not true or false`},
		{"list for mapping", "workload:\n  mix: [1, 2]\n", 2, "a list where a mapping is wanted"},
		{"bad duration", "workload:\n  duration: 30 seconds\n", 2, `"30 seconds" is not a duration`},
		{"negative clients", "workload:\n  clients: -3\n", 2, "workload.clients: -3 clients, want 1 to 4096"},
		{"zero nodes defaulted is fine but 99 is not", "backend:\n  name: raftkv\n  nodes: 99\n", 3, "backend.nodes: 99 nodes"},
		{"bad mode", "backend:\n  mode: docker\n", 2, `backend.mode: "docker"`},
		{"ycsb e", "workload:\n  ycsb: e\n", 2, "needs range scans"},
		{"ycsb unknown", "workload:\n  ycsb: z\n", 2, `"z", want one of a, b, c, d, f`},
		{"negative weight", "workload:\n  mix:\n    get: 1\n    put: -1\n", 4, "workload.mix.put: weight -1"},
		{"nan weight", "workload:\n  mix:\n    get: .nan\n", 3, "workload.mix.get: weight NaN"},
		{"bad distribution", "workload:\n  distribution: pareto\n", 2, `"pareto", want`},
		{"hotspot fraction", "workload:\n  distribution: hotspot\n  hotspot:\n    keys: 1.5\n    ops: 0.5\n", 4, "workload.hotspot.keys: 1.5"},
		{"open loop without rate", "workload:\n  loop: open\n", 2, "an open loop needs a rate"},
		{"open loop huge rate", "workload:\n  loop: open\n  rate: 1e9\n", 3, "an open loop needs a rate in (0, 1e7]"},
		{"closed loop with rate", "workload:\n  rate: 100\n", 2, "a closed loop has no rate"},
		{"duration with phases", "workload:\n  duration: 10s\nphases:\n  - name: a\n    duration: 5s\n", 2, "set together with phases"},
		{"phase without bound", "phases:\n  - name: a\n", 2, "phases[0].duration: want a positive"},
		{"duplicate phase", "phases:\n  - name: a\n    duration: 1s\n  - name: a\n    duration: 1s\n", 4, `"a" already names phases[0]`},
		{"second phase bad rate", "phases:\n  - name: a\n    duration: 1s\n  - name: b\n    duration: 1s\n    loop: open\n", 6, "phases[1].loop: open, but no rate"},
		{"append value too small", "workload:\n  kind: append\n  value_size: 4\n", 3, "too small for an append token"},
		{"read fraction on kv", "workload:\n  read_fraction: 0.5\n", 2, "only for register and append"},
		{"mix on register", "workload:\n  kind: register\n  mix:\n    get: 1\n", 3, "only kv workloads have a mix"},
		{"append linearizable", "workload:\n  kind: append\ncheck:\n  linearizable: true\n", 4, "append workloads have their own check"},
		{"not a mapping", "- a\n- b\n", 1, "a config is a mapping"},
		{"syntax", "workload:\n  clients: [1\n", 1, "did not find expected"},
		{"empty", "", 0, "empty config"},
		{"timeout", "workload:\n  timeout: 2h\n", 2, "workload.timeout: 2h0m0s, want in (0, 1h]"},
		{"txn section on kv", "workload:\n  txn:\n    max_txn_length: 3\n", 2, `set, but kind "kv" is not a transactional workload`},
		{"txn lengths", "workload:\n  kind: list-append\n  txn:\n    min_txn_length: 5\n    max_txn_length: 2\n", 5, "workload.txn.max_txn_length: 2, want min_txn_length (5) to 1000"},
		{"txn model", "workload:\n  kind: rw-register\n  txn:\n    models: [serializable, linearizable]\n", 4, `models[1] "linearizable", want one of strict-serializable`},
		{"txn key dist base", "workload:\n  kind: list-append\n  txn:\n    key_dist_base: 1\n", 4, "workload.txn.key_dist_base: 1, want a number > 1"},
		{"txn zipfian", "workload:\n  kind: list-append\n  distribution: zipfian\n", 3, `a transactional workload picks its active keys "exponential" or "uniform"`},
		{"exponential on kv", "workload:\n  distribution: exponential\n", 2, "is for transactional workloads (list-append, rw-register) only"},
		{"txn linearizable", "workload:\n  kind: list-append\ncheck:\n  linearizable: true\n", 4, "list-append workloads have their own check"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("cfg.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.yaml)
			}
			fields := Fields(err)
			if len(fields) == 0 {
				t.Fatalf("error %v carries no FieldError", err)
			}
			var found bool
			for _, f := range fields {
				if f.File == "cfg.yaml" && f.Line == tc.line && strings.Contains(f.Error(), tc.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("error:\n%v\nwant one at cfg.yaml:%d containing %q", err, tc.line, tc.want)
			}
			if tc.line > 0 && !strings.Contains(err.Error(), fmt.Sprintf("cfg.yaml:%d: ", tc.line)) {
				t.Fatalf("error text %q does not start with file:line", err)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, _, err := Parse("c.yaml", []byte("workload:\n  clients: 0\n  keys: -1\n  value_size: -2\n"))
	// A written 0 is not "unset": clients, keys and value_size are all
	// reported.
	if n := len(Fields(err)); n != 3 {
		t.Fatalf("%d problems reported, want 3:\n%v", n, err)
	}
}

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestSavedConfigRoundTrips: the config.yaml a run saves loads back to the
// same config.
func TestSavedConfigRoundTrips(t *testing.T) {
	c := Default()
	c.Seed = 42
	b, err := yaml.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := Parse("saved.yaml", b)
	if err != nil {
		t.Fatalf("saved config does not load:\n%s\n%v", b, err)
	}
	b2, _ := yaml.Marshal(got)
	if string(b) != string(b2) {
		t.Fatalf("round trip changed the config:\n%s\n---\n%s", b, b2)
	}
}

// TestExampleConfigs loads every shipped example.
func TestExampleConfigs(t *testing.T) {
	files, err := filepath.Glob("configs/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, _, err := Load(f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

func TestJobSection(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		line int
		want string
	}{
		{"workload:\n  kind: mapreduce\n", 2, "needs a job section"},
		{"workload:\n  kind: mapreduce\njob:\n  reduce: 0\n", 3, "job.input: no input files"},
		{"workload:\n  kind: mapreduce\njob:\n  input: [a]\n  workers: 100\n", 5, "job.workers: the workers are the backend's nodes now: write backend.nodes: 100"},
		{"workload:\n  kind: kv\njob:\n  input: [a]\n", 3, "needs workload kind \"mapreduce\""},
		{"workload:\n  kind: mapreduce\njob:\n  input: [a]\n  kill_every: 1s\n", 5, "job.kill_every: worker kills come from the fault schedule now: write under faults.schedule a kill fault"},
		{"workload:\n  kind: mapreduce\njob:\n  input: [a]\n  stall_every: 3s\n", 5, "{fault: pause, target: random, random: 3s, for: 20s}"},
	} {
		_, _, err := Parse("j.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("j.yaml:%d: ", tc.line)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want j.yaml:%d ... %q", tc.yaml, err, tc.line, tc.want)
		}
	}
}
