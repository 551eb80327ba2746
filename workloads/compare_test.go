package workloads

import (
	"fmt"
	"strings"
	"testing"
)

const compareYAML = `name: cmp
seed: 100
backend:
  nodes: 3
  fsync: true
workload:
  keys: 50
  clients: 4
  duration: 2s
compare:
  backends:
    - raftkv
    - name: etcd
      options: {peer-proxy: "false"}
  rounds: 3
  cases:
    - name: put
      set:
        workload: {mix: {put: 1}}
    - name: put-nofsync
      set:
        backend: {fsync: false}
        workload:
          mix: {put: 1}
    - name: faults
      rounds: 1
      set:
        workload: {duration: 5s, mix: {get: 1, put: 1}}
        faults: default
`

// expandYAML parses the config y, failing the test if it does not parse,
// and expands its comparison.
func expandYAML(t *testing.T, file, y string) ([]CompareRun, error) {
	t.Helper()
	c, src, err := Parse(file, []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return c.Expand(src)
}

func TestExpandOrderSeedsAndPatches(t *testing.T) {
	runs, err := expandYAML(t, "cmp.yaml", compareYAML)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		got = append(got, fmt.Sprintf("%d:%s:%s", r.Round, r.Case, r.Backend))
	}
	want := []string{
		"1:put:raftkv", "1:put:etcd", "1:put-nofsync:raftkv", "1:put-nofsync:etcd", "1:faults:raftkv", "1:faults:etcd",
		"2:put:etcd", "2:put:raftkv", "2:put-nofsync:etcd", "2:put-nofsync:raftkv",
		"3:put:raftkv", "3:put:etcd", "3:put-nofsync:raftkv", "3:put-nofsync:etcd",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("order:\n got %v\nwant %v", got, want)
	}
	for _, r := range runs {
		cfg := r.Config
		if cfg.Backend.Name != r.Backend {
			t.Errorf("%s/%s: backend %q", r.Case, r.Backend, cfg.Backend.Name)
		}
		if cfg.Compare != nil {
			t.Errorf("%s: expanded config still compares", r.Case)
		}
		if want := int64(100 + r.Round - 1); cfg.Seed != want {
			t.Errorf("%s/%s round %d: seed %d, want %d", r.Case, r.Backend, r.Round, cfg.Seed, want)
		}
		if cfg.Backend.Nodes != 3 || cfg.Workload.Keys != 50 || cfg.Workload.Clients != 4 {
			t.Errorf("%s: base values lost: %+v %+v", r.Case, cfg.Backend, cfg.Workload)
		}
		wantFsync := r.Case != "put-nofsync"
		if *cfg.Backend.Fsync != wantFsync {
			t.Errorf("%s: fsync %v, want %v", r.Case, *cfg.Backend.Fsync, wantFsync)
		}
		switch r.Case {
		case "put", "put-nofsync":
			if cfg.Workload.Mix != (Mix{Put: 1}) {
				t.Errorf("%s: mix %+v", r.Case, cfg.Workload.Mix)
			}
			if !cfg.Faults.IsZero() {
				t.Errorf("%s: has faults", r.Case)
			}
		case "faults":
			if cfg.Workload.Mix != (Mix{Get: 1, Put: 1}) || cfg.Workload.Duration.D().Seconds() != 5 {
				t.Errorf("faults: workload %+v", cfg.Workload)
			}
			if cfg.Faults.Value != "default" {
				t.Errorf("faults: faults %q", cfg.Faults.Value)
			}
		}
		if r.Backend == "etcd" && cfg.Backend.Options["peer-proxy"] != "false" {
			t.Errorf("etcd options %v", cfg.Backend.Options)
		}
		if r.Backend == "raftkv" && len(cfg.Backend.Options) != 0 {
			t.Errorf("raftkv got options %v", cfg.Backend.Options)
		}
	}
}

func TestExpandMixReplacesWhole(t *testing.T) {
	y := `workload: {mix: {get: 1, append: 1}}
compare:
  backends: [memory]
  rounds: 1
  cases:
    - name: puts
      set: {workload: {mix: {put: 1}}}
    - name: base
`
	runs, err := expandYAML(t, "m.yaml", y)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs", len(runs))
	}
	if m := runs[0].Config.Workload.Mix; m != (Mix{Put: 1}) {
		t.Errorf("patched mix %+v, want put only", m)
	}
	if m := runs[1].Config.Workload.Mix; m != (Mix{Get: 1, Append: 1}) {
		t.Errorf("base mix %+v", m)
	}
}

func TestCompareErrorsLocated(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"no backends", "compare: {rounds: 2}\n", []string{"x.yaml:1: compare.backends: no backends"}},
		{"bad rounds", "compare: {backends: [a], rounds: 1000}\n", []string{"compare.rounds: 1000 rounds"}},
		{"twice", "compare:\n  backends: [a, a]\n", []string{`x.yaml:2: compare.backends[1]: backend "a" is listed twice`}},
		{"case names", "compare:\n  backends: [a]\n  cases:\n    - name: x\n    - name: x\n    - name: 'a b'\n",
			[]string{`compare.cases[1].name: case "x" is named twice`, `x.yaml:6: compare.cases[2].name: "a b"`}},
		{"unknown key in set", "compare:\n  backends: [a]\n  cases:\n    - name: x\n      set:\n        workload:\n          clientz: 3\n",
			[]string{`x.yaml:7: unknown key "clientz"`}},
		{"unknown backend key", "compare:\n  backends:\n    - name: a\n      nodez: 3\n",
			[]string{`x.yaml:4: unknown key "nodez"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("x.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestExpandReportsRunErrorsWithLines(t *testing.T) {
	y := `name: e
compare:
  backends: [a, b]
  rounds: 2
  cases:
    - name: ok
    - name: bad
      set:
        workload:
          clients: -1
`
	_, err := expandYAML(t, "e.yaml", y)
	if err == nil {
		t.Fatal("expanded a case with -1 clients")
	}
	fs := Fields(err)
	if len(fs) != 1 {
		t.Fatalf("want the problem once (not per backend and round), got %d: %v", len(fs), err)
	}
	if fs[0].Line != 10 || fs[0].Path != "workload.clients" || !strings.Contains(fs[0].Msg, "compare.cases[1]") {
		t.Errorf("error %q (line %d path %q)", fs[0], fs[0].Line, fs[0].Path)
	}
}

func TestExpandWithoutCompare(t *testing.T) {
	if _, err := expandYAML(t, "p.yaml", "name: plain\n"); err == nil {
		t.Error("expanded a config without a compare section")
	}
}
