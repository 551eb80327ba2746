package maelstrom

import (
	"context"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// broadcastHistory: clients 1 and 2 broadcast 0, 1 (ok) and 2 (unknown),
// reads in between; final reads of n0 and n1 from time 100.
func broadcastHistory(finalN0, finalN1 string) (*hist, [3]int) {
	h := &hist{}
	var adds [3]int
	adds[0] = h.ok(1, "n0", "broadcast", `{"message":0}`, `{"type":"broadcast_ok"}`, 1, 2)
	h.ok(2, "n1", "read", "", `{"type":"read_ok","messages":[]}`, 3, 4)
	adds[1] = h.ok(2, "n1", "broadcast", `{"message":1}`, `{"type":"broadcast_ok"}`, 5, 6)
	h.ok(1, "n0", "read", "", `{"type":"read_ok","messages":[0, 1]}`, 7, 20)
	adds[2] = h.call(1, "n0", "broadcast", `{"message":2}`, "", 21, 50, history.Info)
	h.final(100)
	h.ok(0, "n0", "read", "", finalN0, 101, 102)
	h.ok(0, "n1", "read", "", finalN1, 103, 104)
	return h, adds
}

func TestBroadcastValid(t *testing.T) {
	w := mustWorkload(t, "broadcast")
	// The unknown broadcast 2 may be read or not.
	for _, n1 := range []string{`{"type":"read_ok","messages":[1,0]}`, `{"type":"read_ok","messages":[2,1,0]}`} {
		h, _ := broadcastHistory(`{"type":"read_ok","messages":[0,1,2]}`, n1)
		run := h.run()
		run.Net = &NetStats{All: 70, Clients: 14, Servers: 56}
		res := w.Check(context.Background(), run)
		wantVerdict(t, res, checker.Valid)
		for _, want := range []string{"stable latency", "p50", "messages per op 14.00"} {
			if !strings.Contains(res.Summary(), want) {
				t.Errorf("summary %q lacks %q", res.Summary(), want)
			}
		}
	}
}

// TestBroadcastForgetsUnderPartition: n1 lost broadcast 0, which n0
// acknowledged, while partitioned; its final read lacks it.
func TestBroadcastForgetsUnderPartition(t *testing.T) {
	h, adds := broadcastHistory(`{"type":"read_ok","messages":[0,1]}`, `{"type":"read_ok","messages":[1]}`)
	res := mustWorkload(t, "broadcast").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.LostValue, []int{adds[0], 6}, "missing from the final read of n1", "client 1 via n0")
	if res.Counts[checker.LostValue] != 1 {
		t.Fatalf("counts %v", res.Counts)
	}
}

func TestBroadcastUnexpectedValues(t *testing.T) {
	h, _ := broadcastHistory(`{"type":"read_ok","messages":[0,1,99]}`, `{"type":"read_ok","messages":[0,1]}`)
	failed := h.call(2, "n1", "broadcast", `{"message":5}`, "", 110, 111, history.Fail)
	h.ok(2, "n1", "read", "", `{"type":"read_ok","messages":[0,1,5]}`, 112, 113)
	res := mustWorkload(t, "broadcast").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.UnexpectedValue, []int{5}, "read 99, which no client sent")
	wantAnomaly(t, res, checker.UnexpectedValue, []int{failed, 8}, "definitely failed")
}

func TestBroadcastUnknown(t *testing.T) {
	w := mustWorkload(t, "broadcast")
	// n1's final read timed out: its state is unknown.
	h, _ := broadcastHistory(`{"type":"read_ok","messages":[0,1]}`, "")
	h.ops[len(h.ops)-1].Outcome = history.Info
	res := w.Check(context.Background(), h.run())
	wantVerdict(t, res, checker.Unknown)
	if !strings.Contains(res.Reason, "n1") {
		t.Fatalf("reason %q", res.Reason)
	}
	// No final phase at all.
	h, _ = broadcastHistory(`{"type":"read_ok","messages":[0,1]}`, `{"type":"read_ok","messages":[0,1]}`)
	h.events = nil
	wantVerdict(t, w.Check(context.Background(), h.run()), checker.Unknown)
	// Nothing at all.
	wantVerdict(t, w.Check(context.Background(), Run{}), checker.Unknown)
}

func TestBroadcastMalformedRead(t *testing.T) {
	h, _ := broadcastHistory(`{"type":"read_ok","messages":[0,1]}`, `{"type":"read_ok","messages":"zero"}`)
	res := mustWorkload(t, "broadcast").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.MalformedReply, []int{6}, "messages list")
}

func TestGSet(t *testing.T) {
	w := mustWorkload(t, "g-set")
	h := &hist{}
	a := h.ok(1, "n0", "add", `{"element":0}`, `{"type":"add_ok"}`, 1, 2)
	h.ok(2, "n1", "add", `{"element":1}`, `{"type":"add_ok"}`, 1, 3)
	h.final(10)
	h.ok(0, "n0", "read", "", `{"type":"read_ok","value":[0,1]}`, 11, 12)
	f1 := h.ok(0, "n1", "read", "", `{"type":"read_ok","value":[1]}`, 13, 14)
	wantAnomaly(t, w.Check(context.Background(), h.run()), checker.LostValue, []int{a, f1}, "add 0")
	h.ops[f1].Output = `{"type":"read_ok","value":[1,0]}`
	wantVerdict(t, w.Check(context.Background(), h.run()), checker.Valid)
}

// TestBroadcastStableLatency: value 0 is missed by a read that completes
// 2 s after its broadcast began, value 1 by none.
func TestBroadcastStableLatency(t *testing.T) {
	const s = int64(1e9)
	h := &hist{}
	h.ok(1, "n0", "broadcast", `{"message":0}`, `{}`, 1*s, 1*s+5)
	h.ok(2, "n1", "read", "", `{"messages":[]}`, 2*s, 3*s)
	h.ok(2, "n1", "broadcast", `{"message":1}`, `{}`, 4*s, 4*s+5)
	h.ok(1, "n1", "read", "", `{"messages":[0,1]}`, 5*s, 5*s+5)
	h.final(10 * s)
	h.ok(0, "n0", "read", "", `{"messages":[0,1]}`, 11*s, 11*s+5)
	res := mustWorkload(t, "broadcast").Check(context.Background(), h.run())
	wantVerdict(t, res, checker.Valid)
	if !strings.Contains(res.Summary(), "stable latency min 0s, p50 0s, p95 0s, p99 0s, max 2s") {
		t.Fatalf("summary %q", res.Summary())
	}
}

// TestSetValueSentTwice: a value whose first add failed and whose retry
// was acknowledged may be read.
func TestSetValueSentTwice(t *testing.T) {
	h := &hist{}
	h.call(1, "n0", "add", `{"element":4}`, "", 1, 2, history.Fail)
	h.ok(1, "n0", "add", `{"element":4}`, `{}`, 3, 4)
	h.call(2, "n1", "add", `{"element":4}`, "", 5, 6, history.Fail)
	h.final(10)
	h.ok(0, "n0", "read", "", `{"value":[4]}`, 11, 12)
	h.ok(0, "n0", "read", "", `{"value":[4, 8]}`, 13, 14)
	h.ok(0, "n0", "read", "", `{"value":[8]}`, 15, 16)
	res := mustWorkload(t, "g-set").Check(context.Background(), h.run())
	// 8 was never sent (once, however many reads show it); 4 is lost from
	// n0's last final read.
	wantAnomaly(t, res, checker.UnexpectedValue, []int{4}, "read 8, which no client sent")
	wantAnomaly(t, res, checker.LostValue, []int{1, 5}, "add 4 is missing from the final read of n0")
	if res.Counts[checker.UnexpectedValue] != 1 || res.Counts[checker.LostValue] != 1 {
		t.Fatalf("counts %v", res.Counts)
	}
}
