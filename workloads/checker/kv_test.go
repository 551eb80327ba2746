package checker

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline/workloads/history"
)

func kvOp(client int, kind history.Kind, key, value, output string, inv, ret int64, o history.Outcome) history.Op {
	return history.Op{Client: client, Kind: kind, Key: key, Value: value, Output: output, Invoke: ms(inv), Complete: ms(ret), Outcome: o}
}

func TestKVHandmade(t *testing.T) {
	ok := history.OK
	for _, tc := range []struct {
		name string
		ops  []history.Op
		want Verdict
	}{
		{"put then get", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, ok), kvOp(1, history.Get, "x", "", "a", 20, 30, ok)}, Valid},
		{"stale get", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, ok), kvOp(1, history.Get, "x", "", "", 20, 30, ok)}, Invalid},
		{"concurrent get may miss", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, ok), kvOp(1, history.Get, "x", "", "", 5, 30, ok)}, Valid},
		{"append order", []history.Op{kvOp(0, history.Append, "x", "a", "", 0, 10, ok), kvOp(1, history.Append, "x", "b", "", 20, 30, ok), kvOp(2, history.Get, "x", "", "ba", 40, 50, ok)}, Invalid},
		{"info put later", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, history.Info), kvOp(1, history.Get, "x", "", "", 20, 30, ok), kvOp(1, history.Get, "x", "", "a", 40, 50, ok)}, Valid},
		{"failed put seen", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, history.Fail), kvOp(1, history.Get, "x", "", "a", 20, 30, ok)}, Invalid},
		{"info get ignored", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, ok), kvOp(1, history.Get, "x", "", "zzz", 20, 30, history.Info)}, Valid},
		{"keys independent", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, ok), kvOp(1, history.Get, "y", "", "", 20, 30, ok)}, Valid},
		{"empty", nil, Unknown},
		{"only failed ops", []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, history.Fail)}, Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := CheckKV(tc.ops, PorcupineOptions{KeyTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != tc.want {
				t.Fatalf("%s, want %v", res.Summary(), tc.want)
			}
			if tc.want == Invalid && (res.Counts[NonLinearizable] != 1 || len(res.Anomalies) != 1 || res.Anomalies[0].Key == "") {
				t.Fatalf("invalid result lacks its anomaly: %+v", res)
			}
		})
	}
}

func TestKVGenerated(t *testing.T) {
	seed := testSeed(t)
	n := 20_000
	if testing.Short() {
		n = 5_000
	}
	base := simConfig{seed: seed, workload: kvWorkload, clients: 16, ops: n, keys: 200, readFrac: 0.5, infoFrac: 0.02, failFrac: 0.02}
	opts := PorcupineOptions{KeyTimeout: 10 * time.Second, Timeout: time.Minute}
	t.Run("correct store", func(t *testing.T) {
		res, err := CheckKV(simulate(base), opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != Valid || res.Keys != 200 {
			t.Fatalf("%s", res.Summary())
		}
		t.Log(res.Summary())
	})
	for _, tc := range []struct {
		name string
		cfg  func(*simConfig)
	}{
		{"stale-read store", func(c *simConfig) { c.staleFrac = 0.05 }},
		{"lost-write store", func(c *simConfig) { c.loseFrom = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.cfg(&cfg)
			var viz bytes.Buffer
			path := filepath.Join(t.TempDir(), "viz.html")
			o := opts
			o.Visualization, o.VisualizationPath = &viz, path
			o.Events = []history.Event{{Kind: "partition", Start: ms(100), Stop: ms(900), Nodes: []string{"n1"}, Desc: "isolate n1"}, {Kind: "kill", Start: ms(500), Stop: history.Open}}
			res, err := CheckKV(simulate(cfg), o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != Invalid || res.KeysInvalid == 0 || len(res.FailingKeys) == 0 {
				t.Fatalf("not flagged: %s", res.Summary())
			}
			t.Log(res.Summary())
			key := res.FailingKeys[0]
			html := viz.String()
			if !strings.Contains(html, "<html") || !strings.Contains(html, `not linearizable`) || !strings.Contains(html, strings.Trim(jsonString(key), `"`)) {
				t.Fatalf("visualization (%d bytes) does not name failing key %q", len(html), key)
			}
			if !strings.Contains(html, "isolate n1") {
				t.Fatal("visualization lacks the fault window")
			}
			file, err := os.ReadFile(path)
			if err != nil || res.Visualization != path || len(file) != len(html) {
				t.Fatalf("visualization file: %d bytes, err %v, result path %q", len(file), err, res.Visualization)
			}
		})
	}
}

// jsonString is how s appears inside porcupine's embedded JSON.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestRegisterGenerated(t *testing.T) {
	seed := testSeed(t)
	base := simConfig{seed: seed, workload: registerWorkload, clients: 8, ops: 5_000, keys: 50, readFrac: 0.4, infoFrac: 0.03, failFrac: 0.02}
	opts := PorcupineOptions{KeyTimeout: 10 * time.Second}
	res, err := CheckRegister(simulate(base), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Valid {
		t.Fatalf("correct register: %s", res.Summary())
	}
	for _, tc := range []struct {
		name string
		cfg  func(*simConfig)
	}{
		{"stale reads", func(c *simConfig) { c.staleFrac = 0.1 }},
		{"lost writes", func(c *simConfig) { c.loseFrom = 1 }},
	} {
		cfg := base
		tc.cfg(&cfg)
		res, err := CheckRegister(simulate(cfg), opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != Invalid {
			t.Errorf("%s: %s", tc.name, res.Summary())
		}
	}
}

func TestPorcupineTimeoutIsUnknown(t *testing.T) {
	seed := testSeed(t)
	contended := simulate(simConfig{seed: seed, workload: appendWorkload, clients: 16, ops: 3000, readFrac: 0.5})
	res, err := CheckKV(contended, PorcupineOptions{KeyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Unknown || res.KeysUnknown != 1 || !strings.Contains(res.Reason, "undecided") {
		t.Fatalf("timed-out search: %s", res.Summary())
	}

	// The overall limit: nothing starts after it.
	many := simulate(simConfig{seed: seed, workload: kvWorkload, clients: 4, ops: 2000, keys: 100, readFrac: 0.5})
	res, err = CheckKV(many, PorcupineOptions{Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Unknown || res.KeysUnknown != res.Keys || !strings.Contains(res.Reason, "never started") {
		t.Fatalf("overall limit: %s", res.Summary())
	}

	// A violation on one key outranks an undecided key.
	for i := range contended {
		contended[i].Key = "hot"
	}
	stale := []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, history.OK), kvOp(1, history.Get, "x", "", "", 20, 30, history.OK)}
	res, err = CheckKV(append(contended, stale...), PorcupineOptions{KeyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Invalid || res.KeysUnknown != 1 || res.FailingKeys[0] != "x" {
		t.Fatalf("invalid and unknown keys: %s %v", res.Summary(), res.FailingKeys)
	}
}

func TestPorcupineErrors(t *testing.T) {
	cas := []history.Op{{Kind: history.CAS, Key: "r", Outcome: history.OK}}
	if _, err := CheckKV(cas, PorcupineOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("CheckKV(cas) err = %v", err)
	}
	get := []history.Op{{Kind: history.Get, Key: "r", Outcome: history.OK}}
	if _, err := CheckRegister(get, PorcupineOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("CheckRegister(get) err = %v", err)
	}
	back := []history.Op{{Kind: history.Get, Key: "r", Invoke: 2, Complete: 1, Outcome: history.OK}}
	if _, err := CheckKV(back, PorcupineOptions{}); !errors.Is(err, ErrBadHistory) {
		t.Fatalf("time travel err = %v", err)
	}
	stale := []history.Op{kvOp(0, history.Put, "x", "a", "", 0, 10, history.OK), kvOp(1, history.Get, "x", "", "", 20, 30, history.OK)}
	res, err := CheckKV(stale, PorcupineOptions{VisualizationPath: filepath.Join(t.TempDir(), "missing", "viz.html")})
	if err == nil || res.Verdict != Invalid {
		t.Fatalf("unwritable visualization: err %v, verdict %v", err, res.Verdict)
	}
}

// TestFixtures runs every history under testdata: ok-* must be valid and
// bad-* invalid; bad-<kind>.jsonl of the append check must show that kind.
func TestFixtures(t *testing.T) {
	checks := map[string]func([]history.Op) (Result, error){
		"append": func(ops []history.Op) (Result, error) { return CheckAppend(ops, AppendOptions{}) },
		"kv": func(ops []history.Op) (Result, error) {
			return CheckKV(ops, PorcupineOptions{KeyTimeout: 5 * time.Second})
		},
		"register": func(ops []history.Op) (Result, error) {
			return CheckRegister(ops, PorcupineOptions{KeyTimeout: 5 * time.Second})
		},
	}
	files, err := filepath.Glob("testdata/*/*.jsonl")
	if err != nil || len(files) < 15 {
		t.Fatalf("fixtures: %d files, %v", len(files), err)
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			ops, _, err := history.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			check := checks[filepath.Base(filepath.Dir(path))]
			res, err := check(ops)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
			want := Valid
			if strings.HasPrefix(name, "bad-") {
				want = Invalid
			}
			if res.Verdict != want {
				t.Fatalf("%s, want %v\n%s", res.Summary(), want, dump(res))
			}
			if res.Checker == "append" && want == Invalid {
				var kind AnomalyKind
				if err := kind.UnmarshalText([]byte(strings.TrimPrefix(name, "bad-"))); err != nil {
					t.Fatal(err)
				}
				if res.Counts[kind] == 0 || res.Anomalies[0].Kind != kind {
					t.Fatalf("want %v first:\n%s", kind, dump(res))
				}
			}
		})
	}
}

// TestAppendAndKVAgreeOnFixtures runs porcupine on the append fixtures too.
func TestAppendAndKVAgreeOnFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/append/*.jsonl")
	for _, path := range files {
		ops, _, err := history.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a, err1 := CheckAppend(ops, AppendOptions{})
		p, err2 := CheckKV(ops, PorcupineOptions{KeyTimeout: 5 * time.Second})
		if err1 != nil || err2 != nil || a.Verdict != p.Verdict {
			t.Errorf("%s: append %v (%v), porcupine %v (%v)", path, a.Verdict, err1, p.Verdict, err2)
		}
	}
}
