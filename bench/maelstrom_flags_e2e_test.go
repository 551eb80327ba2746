package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
	wmaelstrom "faultline/workloads/maelstrom"
	"faultline/workloads/results"
)

// check returns the run's check called name, or fails the test.
func check(t *testing.T, res *results.Results, name string) results.Check {
	t.Helper()
	if c, ok := res.Check(name); ok {
		return c
	}
	t.Fatalf("no %s check in %+v", name, res.Checks)
	return results.Check{}
}

// TestMaelstromAvailability: --availability judges the clients' requests:
// met, the run is valid and says so; missed (a node that answers every
// echo "not supported"), the run is invalid, not merely unknown, and
// results.json gives the measured and the required availability.
func TestMaelstromAvailability(t *testing.T) {
	res := wantVerdict(t, checker.Valid, "availability: valid, measured 1.0000", "maelstrom", "test", "-w", "echo", "--bin", exampleNode(t, "echo"),
		"--node-count", "1", "--time-limit", "1", "--rate", "40", "--availability", "total")
	c := check(t, res, wmaelstrom.AvailabilityCheck)
	if c.Verdict != checker.Valid || c.Details["ok"] == 0 || c.Details["ok"] != c.Details["requests"] ||
		!strings.Contains(c.Summary, "required total (every request ok)") {
		t.Fatalf("availability check %+v", c)
	}
	res = wantVerdict(t, checker.Invalid, "availability: invalid", "maelstrom", "test", "-w", "echo", "--bin", exampleNode(t, "g-counter"),
		"--node-count", "1", "--time-limit", "1", "--rate", "40", "--availability", "0.5")
	c = check(t, res, wmaelstrom.AvailabilityCheck)
	if c.Verdict != checker.Invalid || c.Details["ok"] != 0 || c.Details["requests"] == 0 ||
		!strings.Contains(c.Summary, "measured 0.0000") || !strings.Contains(c.Summary, "required at least 0.5") {
		t.Fatalf("availability check %+v", c)
	}
	if code, out, _ := maelstromRun(t, "maelstrom", "test", "-w", "echo", "--bin", exampleNode(t, "echo"), "--availability", "most"); code != exitFailed ||
		!strings.Contains(out, `--availability "most": want a fraction from 0 to 1`) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestMaelstromMaxWritesPerKey: with --max-writes-per-key 2 no key of the
// recorded lin-kv history took more than two writes and cases, over all
// clients, and the run is still checked valid.
func TestMaelstromMaxWritesPerKey(t *testing.T) {
	code, out, res, dir := maelstromRunDir(t, "maelstrom", "test", "-w", "lin-kv", "--bin", exampleNode(t, "lin-kv"),
		"--node-count", "2", "--concurrency", "2n", "--time-limit", "2", "--rate", "100", "--max-writes-per-key", "2")
	if res == nil || res.Verdict != checker.Valid || code != exitValid {
		t.Fatalf("exit %d, results %v:\n%s", code, res != nil, out)
	}
	ops, _, err := history.ReadFile(filepath.Join(dir, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	writes := map[string]int{}
	for _, op := range ops {
		if op.Kind == history.Write || op.Kind == history.CAS {
			writes[op.Key]++
		}
	}
	for k, n := range writes {
		if n > 2 {
			t.Errorf("key %s took %d writes, bound 2", k, n)
		}
	}
	if len(writes) < 10 {
		t.Fatalf("only %d keys written in %d ops", len(writes), len(ops))
	}
}

// stderrNode writes a script that says hello on stderr, then runs the Go
// echo node.
func stderrNode(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chatty-echo")
	script := "#!/bin/sh\necho \"hello from stderr\" >&2\nexec " + exampleNode(t, "echo") + " \"$@\"\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMaelstromLogStderr: --log-stderr copies every node's stderr to the
// command's, each line prefixed by its node, besides the node's log;
// without it the terminal shows none of it.
func TestMaelstromLogStderr(t *testing.T) {
	bin := stderrNode(t)
	args := []string{"maelstrom", "test", "-w", "echo", "--bin", bin, "--node-count", "2", "--time-limit", "1", "--rate", "20"}
	for _, on := range []bool{true, false} {
		a := args
		if on {
			a = append(a[:len(a):len(a)], "--log-stderr")
		}
		code, out, res, dir := maelstromRunDir(t, a...)
		if res == nil || code != exitValid {
			t.Fatalf("log-stderr %v: exit %d:\n%s", on, code, out)
		}
		for _, id := range []string{"n0", "n1"} {
			if got := strings.Contains(out, id+": hello from stderr\n"); got != on {
				t.Errorf("log-stderr %v: %s's stderr line shown = %v:\n%s", on, id, got, out)
			}
			log, err := os.ReadFile(filepath.Join(dir, "logs", id+".log"))
			if err != nil || !strings.Contains(string(log), "hello from stderr") {
				t.Errorf("log-stderr %v: %s's log %q, %v", on, id, log, err)
			}
		}
	}
}

// TestMaelstromLogNet: --log-net-send logs every message the router sends
// (the clients' echo requests among them) and --log-net-recv every one it
// delivers (the nodes' replies reaching the clients), each alone or both.
func TestMaelstromLogNet(t *testing.T) {
	send := regexp.MustCompile(`(?m)^net [0-9.]+s send \{"src":"c1","dest":"n0","body":\{.*"type":"echo"`)
	recv := regexp.MustCompile(`(?m)^net [0-9.]+s recv \{"src":"n0","dest":"c1","body":\{.*"type":"echo_ok"`)
	for _, c := range []struct {
		flags      []string
		send, recv bool
	}{
		{[]string{"--log-net-send"}, true, false},
		{[]string{"--log-net-recv"}, false, true},
		{[]string{"--log-net-send", "--log-net-recv"}, true, true},
		{nil, false, false},
	} {
		args := append([]string{"maelstrom", "test", "-w", "echo", "--bin", exampleNode(t, "echo"), "--node-count", "1",
			"--time-limit", "1", "--rate", "20"}, c.flags...)
		code, out, _ := maelstromRun(t, args...)
		if code != exitValid {
			t.Fatalf("%v: exit %d:\n%s", c.flags, code, out)
		}
		if send.MatchString(out) != c.send || recv.MatchString(out) != c.recv {
			t.Fatalf("%v: sends logged %v, deliveries logged %v, want %v, %v:\n%s", c.flags, send.MatchString(out),
				recv.MatchString(out), c.send, c.recv, out)
		}
	}
}

// TestMaelstromNemesisShapes: --partition-shape reaches chaos's shapes
// (here a majority ring and a one-way partition taking turns, then a
// random node isolated), kill and pause come from --nemesis, every fault
// window happens and the partitions drop messages; shapes the cluster
// cannot take are refused before anything starts.
func TestMaelstromNemesisShapes(t *testing.T) {
	bin := exampleNode(t, "broadcast")
	// Windows of 1.5 s or more: a window in effect for less than half its
	// length makes the run unknown, and under load (tests run 20 at a time
	// under -race) a fault may take effect a few hundred ms late.
	for _, tc := range []struct {
		name, workload string
		flags          []string
		descs          []string // what the partitions' descriptions say, in order
	}{
		// Windows 1.5-3 s (ring) and 4.5-6 s (one-way), the heal at 6.3 s.
		{"ring,one-way", "broadcast", []string{"--time-limit", "7", "--nemesis-interval", "1.5", "--nemesis", "partition",
			"--partition-shape", "ring,one-way"}, []string{"partition ring: ring ", " mute to "}},
		// One window each, 2-4 s. Echo's check judges kills: its nodes keep
		// no state.
		{"isolate,kill,pause", "echo", []string{"--time-limit", "5", "--nemesis-interval", "2", "--nemesis", "partition,kill,pause",
			"--partition-shape", "isolate"}, []string{"partition isolate: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"maelstrom", "test", "-w", tc.workload, "--bin", exampleNode(t, tc.workload), "--node-count", "3",
				"--rate", "20"}, tc.flags...)
			res := wantVerdict(t, checker.Valid, "", args...)
			kinds := map[string]bool{}
			var descs []string
			for _, f := range res.Faults {
				kinds[f.Fault] = true
				if f.Fault == "partition" {
					descs = append(descs, f.Desc)
				}
				if f.StartNS == results.NotApplied {
					t.Errorf("fault %+v never took effect", f)
				}
			}
			t.Logf("partitions: %q", descs)
			if len(descs) != len(tc.descs) {
				t.Fatalf("partition windows %q, want %d", descs, len(tc.descs))
			}
			for i, want := range tc.descs {
				if !strings.Contains(descs[i], want) {
					t.Fatalf("partition windows %q, want %q in window %d", descs, want, i)
				}
			}
			for _, k := range []string{"partition", "kill", "pause"} {
				if want := slices.Contains(strings.Split(tc.flags[5], ","), k); kinds[k] != want {
					t.Errorf("fault %s happened = %v, want %v (%v)", k, kinds[k], want, res.Faults)
				}
			}
			if tc.workload == "broadcast" && res.Network.All.Dropped.Partition == 0 {
				t.Errorf("no message dropped by the partitions: %+v", res.Network.All)
			}
		})
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--node-count", "2", "--nemesis", "partition", "--partition-shape", "ring"}, "shape ring needs at least 3 nodes"},
		{[]string{"--nemesis", "partition", "--partition-shape", "rign"}, `unknown shape "rign"; did you mean "ring"?`},
		{[]string{"--nemesis", "partiton"}, `unknown fault "partiton"; did you mean "partition"?`},
		{[]string{"--partition-shape", "ring"}, "needs --nemesis partition"},
		{[]string{"--nemesis", "partition", "--partition-shape", "ring,bridge,one-way", "--time-limit", "5", "--nemesis-interval", "2"},
			"would first start at"},
	} {
		args := append([]string{"maelstrom", "test", "-w", "broadcast", "--bin", bin}, tc.args...)
		code, out, res := maelstromRun(t, args...)
		if code != exitFailed || res != nil || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, results %v, want %q in:\n%s", tc.args, code, res != nil, tc.want, out)
		}
	}
}
