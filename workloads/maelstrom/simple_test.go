package maelstrom

import (
	"context"
	"errors"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

func TestEcho(t *testing.T) {
	h := &hist{}
	h.ok(1, "n0", "echo", `{"echo":"Please echo 1"}`, `{"type":"echo_ok","echo":"Please echo 1"}`, 1, 2)
	h.call(2, "n1", "echo", `{"echo":"Please echo 2"}`, "", 3, 4, history.Info)
	w := mustWorkload(t, "echo")
	wantVerdict(t, w.Check(context.Background(), h.run()), checker.Valid)
	bad := h.ok(3, "n2", "echo", `{"echo":"Please echo 3"}`, `{"type":"echo_ok","echo":"Please echo 4"}`, 5, 6)
	missing := h.ok(3, "n2", "echo", `{"echo":"Please echo 5"}`, `{"type":"echo_ok"}`, 7, 8)
	res := w.Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.BadEcho, []int{bad}, `sent "Please echo 3", echoed "Please echo 4"`, "client 3 via n2")
	wantAnomaly(t, res, checker.BadEcho, []int{missing}, "no payload")
	wantVerdict(t, w.Check(context.Background(), Run{}), checker.Unknown)
}

func TestUniqueIDs(t *testing.T) {
	h := &hist{}
	h.ok(1, "n0", "generate", "", `{"type":"generate_ok","id":"n0-1"}`, 1, 2)
	h.ok(2, "n1", "generate", "", `{"type":"generate_ok","id":1}`, 3, 4)
	h.ok(2, "n1", "generate", "", `{"type":"generate_ok","id":"1"}`, 5, 6)
	h.call(3, "n2", "generate", "", "", 7, 8, history.Info)
	w := mustWorkload(t, "unique-ids")
	res := w.Check(context.Background(), h.run())
	wantVerdict(t, res, checker.Valid)
	if !strings.Contains(res.Summary(), "availability 0.7500 (3 of 4 requests ok)") {
		t.Fatalf("summary %q", res.Summary())
	}
	// A node that restarts its counter after a kill hands out 1 again.
	dup := h.ok(1, "n1", "generate", "", `{"type":"generate_ok","id":1.0}`, 9, 10)
	wantAnomaly(t, w.Check(context.Background(), h.run()), checker.DuplicateID, []int{1, dup}, "id 1 returned twice")
}

func TestTxnUnknown(t *testing.T) {
	for _, name := range []string{"txn-list-append", "txn-rw-register"} {
		h := &hist{}
		h.ok(1, "n0", "txn", `{"txn":[["r",1,null]]}`, `{"type":"txn_ok","txn":[["r",1,[1]]]}`, 1, 2)
		h.call(2, "n0", "txn", `{"txn":[["r",1,null]]}`, "", 3, 4, history.Info)
		res := mustWorkload(t, name).Check(context.Background(), h.run())
		wantVerdict(t, res, checker.Unknown)
		if res.Reason != ElleReason || !strings.Contains(res.Summary(), "1 of 2 transactions ok") {
			t.Fatalf("%s: %q / %q", name, res.Reason, res.Summary())
		}
		// Never valid, not even with nothing recorded.
		wantVerdict(t, mustWorkload(t, name).Check(context.Background(), Run{}), checker.Unknown)
	}
}

func TestJudge(t *testing.T) {
	faults := []Fault{{Kind: "partition"}, {Kind: "kill"}, {Kind: "pause"}, {Kind: "network"}, {Kind: "network", Duplicates: true}, {Kind: "join"}, {Kind: "bogus"}}
	// Which of faults each workload judges, in order.
	want := map[string]string{
		"echo": "yyyyynn", "unique-ids": "yyyyynn", "broadcast": "yyyyynn", "g-set": "yyyyynn",
		"g-counter": "yyyynnn", "pn-counter": "yyyynnn", "lin-kv": "yyyynnn", "kafka": "yyyynnn",
		"txn-list-append": "yyyyynn", "txn-rw-register": "yyyyynn",
	}
	if len(want) != len(Names()) {
		t.Fatalf("workloads %v", Names())
	}
	for _, name := range Names() {
		w := mustWorkload(t, name)
		got := ""
		for _, f := range faults {
			err := w.Judge(f)
			if err != nil && (!errors.Is(err, ErrCannotJudge) || !strings.Contains(err.Error(), name)) {
				t.Fatalf("%s/%s: %v", name, f, err)
			}
			got += map[bool]string{true: "y", false: "n"}[err == nil]
		}
		if got != want[name] {
			t.Errorf("%s judges %s, want %s", name, got, want[name])
		}
		if w.Name() != name {
			t.Errorf("%s named %s", name, w.Name())
		}
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New("lin-kv-reconfig", Options{Clients: 1}); !errors.Is(err, ErrUnknownWorkload) || !strings.Contains(err.Error(), "broadcast") {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {Clients: 1, Topology: "star"}, {Clients: 1, KeyCount: -1}} {
		if _, err := New("broadcast", o); err == nil {
			t.Fatalf("%+v accepted", o)
		}
	}
}
