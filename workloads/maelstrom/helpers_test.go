package maelstrom

import (
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// hist builds synthetic histories: each op gets the next times unless
// given, so tests read in order.
type hist struct {
	ops    []history.Op
	events []history.Event
}

// call appends a history.Call op and returns its index.
func (h *hist) call(client int, node, f, value, output string, invoke, complete int64, out history.Outcome) int {
	h.ops = append(h.ops, history.Op{Client: client, Node: node, Kind: history.Call, Key: f, Value: value,
		Output: output, Invoke: invoke, Complete: complete, Outcome: out})
	return len(h.ops) - 1
}

// ok appends an ok call.
func (h *hist) ok(client int, node, f, value, output string, invoke, complete int64) int {
	return h.call(client, node, f, value, output, invoke, complete, history.OK)
}

// final marks the final phase's start.
func (h *hist) final(at int64) { h.events = append(h.events, FinalPhase(at)) }

// run returns the history as a Run.
func (h *hist) run() Run { return Run{Ops: h.ops, Events: h.events} }

// mustWorkload returns the named workload with 3 clients.
func mustWorkload(t *testing.T, name string) Workload {
	t.Helper()
	w, err := New(name, Options{Clients: 3})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// wantVerdict fails unless res has verdict v.
func wantVerdict(t *testing.T, res checker.Result, v checker.Verdict) {
	t.Helper()
	if res.Verdict != v {
		t.Fatalf("verdict %s, want %s: %s\n%s", res.Verdict, v, res.Summary(), anomalies(res))
	}
}

// wantAnomaly fails unless res is Invalid with an anomaly of kind k whose
// steps include each of ops and whose text contains every word of words.
func wantAnomaly(t *testing.T, res checker.Result, k checker.AnomalyKind, ops []int, words ...string) {
	t.Helper()
	wantVerdict(t, res, checker.Invalid)
	for _, a := range res.Anomalies {
		if a.Kind != k {
			continue
		}
		steps := map[int]bool{}
		for _, s := range a.Steps {
			steps[s.Op] = true
			if s.Desc == "" {
				t.Fatalf("step without description: %s", a)
			}
		}
		found := true
		for _, o := range ops {
			found = found && steps[o]
		}
		for _, w := range words {
			found = found && strings.Contains(a.String(), w)
		}
		if found {
			if res.Counts[k] == 0 {
				t.Fatalf("%s explained but not counted: %v", k, res.Counts)
			}
			return
		}
	}
	t.Fatalf("no %s anomaly on ops %v mentioning %q:\n%s", k, ops, words, anomalies(res))
}

func anomalies(res checker.Result) string {
	var b strings.Builder
	for _, a := range res.Anomalies {
		b.WriteString(a.String() + "\n")
	}
	return b.String()
}
