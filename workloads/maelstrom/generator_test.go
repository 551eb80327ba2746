package maelstrom

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"faultline/workloads/history"
)

// replay draws n requests of client from w, answering each with answer.
func replay(w Workload, client int, seed int64, n int, answer func(Request) []byte) []Request {
	g := w.Client(client, seed)
	out := make([]Request, n)
	for i := range out {
		out[i] = g.Next()
		g.Update(out[i], answer(out[i]), nil)
	}
	return out
}

func okReply(Request) []byte { return []byte(`{"type":"ok"}`) }

func TestGeneratorsSeeded(t *testing.T) {
	for _, name := range Names() {
		w := mustWorkload(t, name)
		a, b := replay(w, 2, 7, 200, okReply), replay(w, 2, 7, 200, okReply)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: same seed, different requests", name)
		}
		c := replay(w, 2, 8, 200, okReply)
		if name != "unique-ids" && reflect.DeepEqual(a, c) {
			t.Errorf("%s: seeds 7 and 8 gave the same requests", name)
		}
		for _, r := range a {
			if r.Args != nil && !json.Valid(r.Args) {
				t.Fatalf("%s: args %s", name, r.Args)
			}
		}
	}
}

// fields decodes a request's args.
func fields(t *testing.T, r Request) map[string]any {
	t.Helper()
	var m map[string]any
	if r.Args == nil {
		return m
	}
	if err := json.Unmarshal(r.Args, &m); err != nil {
		t.Fatalf("%s %s: %v", r.F, r.Args, err)
	}
	return m
}

func TestSetGeneratorsUnique(t *testing.T) {
	for name, field := range map[string]string{"broadcast": "message", "g-set": "element"} {
		w := mustWorkload(t, name)
		seen := map[float64]bool{}
		counts := map[string]int{}
		for c := 1; c <= 3; c++ {
			for _, r := range replay(w, c, 1, 300, okReply) {
				counts[r.F]++
				if r.F == "read" {
					continue
				}
				v := fields(t, r)[field].(float64)
				if seen[v] || v < 0 {
					t.Fatalf("%s: value %v twice", name, v)
				}
				seen[v] = true
			}
		}
		if counts["read"] < 300 || counts["read"] > 600 || len(counts) != 2 {
			t.Fatalf("%s: mix %v", name, counts)
		}
	}
}

func TestCounterDeltas(t *testing.T) {
	for name, bounds := range map[string][2]float64{"g-counter": {0, 4}, "pn-counter": {-5, 4}} {
		lo, hi := 100.0, -100.0
		for _, r := range replay(mustWorkload(t, name), 1, 3, 500, okReply) {
			if r.F == "add" {
				d := fields(t, r)["delta"].(float64)
				lo, hi = min(lo, d), max(hi, d)
			}
		}
		if lo != bounds[0] || hi != bounds[1] {
			t.Errorf("%s: deltas in [%v, %v], want %v", name, lo, hi, bounds)
		}
	}
}

func TestLinKVGenerator(t *testing.T) {
	w, err := New("lin-kv", Options{Clients: 2, KeyCount: 2, OpsPerKey: 10})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[history.Kind]int{}
	for i, r := range replay(w, 1, 5, 100, okReply) {
		f := fields(t, r)
		key := strconv.Itoa(int(f["key"].(float64)))
		if key != r.Op.Key || r.F != r.Op.Kind.String() {
			t.Fatalf("%s %s recorded as %v", r.F, r.Args, r.Op)
		}
		if k := int(f["key"].(float64)); k/2 != i/10 {
			t.Fatalf("op %d on key %d", i, k)
		}
		kinds[r.Op.Kind]++
		switch r.Op.Kind {
		case history.Write:
			if fmt.Sprint(f["value"]) != r.Op.Value {
				t.Fatalf("%s recorded as %v", r.Args, r.Op)
			}
		case history.CAS:
			if fmt.Sprint(f["from"]) != r.Op.Expect || fmt.Sprint(f["to"]) != r.Op.Value {
				t.Fatalf("%s recorded as %v", r.Args, r.Op)
			}
		}
	}
	if len(kinds) != 3 {
		t.Fatalf("kinds %v", kinds)
	}
}

// TestKafkaGenerator: polls move the client's offsets and are followed by
// a commit of what they read; a listing moves the offsets to the
// committed ones.
func TestKafkaGenerator(t *testing.T) {
	w := mustWorkload(t, "kafka")
	g := w.Client(1, 9)
	seen := map[string]int{}
	var lastPoll map[string]any
	for range 400 {
		r := g.Next()
		seen[r.F]++
		var reply string
		switch r.F {
		case "poll":
			lastPoll = fields(t, r)["offsets"].(map[string]any)
			reply = fmt.Sprintf(`{"msgs":{"1":[[%v,5],[%v,6]]}}`, lastPoll["1"], lastPoll["1"].(float64)+3)
		case "commit_offsets":
			got := fields(t, r)["offsets"].(map[string]any)
			if len(got) != 1 || got["1"] != lastPoll["1"].(float64)+3 {
				t.Fatalf("commit %v after poll from %v", got, lastPoll)
			}
		case "list_committed_offsets":
			reply = `{"offsets":{"2":40}}`
		case "send":
			k := fields(t, r)["key"].(string)
			if k < "0" || k > "3" || len(k) != 1 {
				t.Fatalf("send to key %q", k)
			}
		}
		g.Update(r, []byte(reply), nil)
	}
	r := g.Next()
	for r.F != "poll" {
		r = g.Next()
	}
	offs := fields(t, r)["offsets"].(map[string]any)
	if offs["2"] != 40.0 || offs["0"] != 0.0 || len(offs) != 4 {
		t.Fatalf("offsets %v", offs)
	}
	if seen["commit_offsets"] != seen["poll"] || seen["list_committed_offsets"] == 0 || seen["send"] < 100 {
		t.Fatalf("mix %v", seen)
	}
}

func TestTxnGenerators(t *testing.T) {
	for name, write := range map[string]string{"txn-list-append": "append", "txn-rw-register": "w"} {
		seen := map[float64]bool{}
		lens := map[int]int{}
		for c := 1; c <= 3; c++ {
			for _, r := range replay(mustWorkload(t, name), c, 4, 100, okReply) {
				txn := fields(t, r)["txn"].([]any)
				lens[len(txn)]++
				for _, m := range txn {
					mop := m.([]any)
					if len(mop) != 3 {
						t.Fatalf("micro-op %v", mop)
					}
					switch mop[0] {
					case "r":
						if mop[2] != nil {
							t.Fatalf("read %v", mop)
						}
					case write:
						v := mop[2].(float64)
						if seen[v] {
							t.Fatalf("%s: value %v twice", name, v)
						}
						seen[v] = true
					default:
						t.Fatalf("%s: micro-op %v", name, mop)
					}
				}
			}
		}
		if len(lens) != 4 || lens[0] > 0 || lens[5] > 0 {
			t.Fatalf("%s: lengths %v", name, lens)
		}
	}
}

func TestEchoAndIDsGenerators(t *testing.T) {
	for _, r := range replay(mustWorkload(t, "echo"), 1, 1, 20, okReply) {
		if r.F != "echo" || len(fields(t, r)["echo"].(string)) < len("Please echo 0") {
			t.Fatalf("%s %s", r.F, r.Args)
		}
	}
	for _, r := range replay(mustWorkload(t, "unique-ids"), 1, 1, 3, okReply) {
		if r.F != "generate" || r.Args != nil {
			t.Fatalf("%s %s", r.F, r.Args)
		}
	}
}
