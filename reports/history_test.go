package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveHistory decodes a history line by line on one goroutine: the twin
// the parallel reader must agree with.
func naiveHistory(text string) ([]op, []Event) {
	var ops []op
	var evs []Event
	for _, l := range strings.Split(text, "\n") {
		if l == "" {
			continue
		}
		var h historyLine
		if json.Unmarshal([]byte(l), &h) != nil {
			break
		}
		if h.Type == "event" {
			evs = append(evs, Event{Kind: h.Kind, Start: h.Start, Stop: h.Stop, Nodes: h.Nodes, Desc: h.Desc})
			continue
		}
		ops = append(ops, op{kind: h.Kind, invoke: h.Invoke, complete: h.Complete, outcome: outcomeCodes[h.Outcome]})
	}
	return ops, evs
}

func TestReadHistoryMatchesNaive(t *testing.T) {
	const seed = 42
	rng := rand.New(rand.NewPCG(seed, 2))
	var b strings.Builder
	lines := 3*batchLines + 17
	for i := range lines {
		switch {
		case i%997 == 0:
			fmt.Fprintf(&b, `{"type":"event","kind":"kill","start":%d,"stop":%d,"nodes":["n%d"]}`+"\n", i, i+5, i%3)
		case i%500 == 0:
			b.WriteString("\n")
		default:
			inv := rng.Int64N(1e9)
			fmt.Fprintf(&b, `{"type":"op","client":%d,"kind":"get","key":"k","invoke":%d,"complete":%d,"outcome":%q}`+"\n",
				i%7, inv, inv+rng.Int64N(1e6), []string{"ok", "fail", "info"}[rng.IntN(3)])
		}
	}
	text := b.String()
	var gotOps []op
	var gotEvs []Event
	if err := readHistory(strings.NewReader(text), func(o op) { gotOps = append(gotOps, o) }, func(e Event) { gotEvs = append(gotEvs, e) }); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	wantOps, wantEvs := naiveHistory(text)
	if len(gotOps) != len(wantOps) || len(gotEvs) != len(wantEvs) {
		t.Fatalf("seed %d: %d ops and %d events, want %d and %d", seed, len(gotOps), len(gotEvs), len(wantOps), len(wantEvs))
	}
	for i := range gotOps {
		if gotOps[i] != wantOps[i] {
			t.Fatalf("seed %d: op %d is %+v, want %+v", seed, i, gotOps[i], wantOps[i])
		}
	}
	for i := range gotEvs {
		if gotEvs[i].Start != wantEvs[i].Start || gotEvs[i].Nodes[0] != wantEvs[i].Nodes[0] {
			t.Fatalf("seed %d: event %d is %+v, want %+v", seed, i, gotEvs[i], wantEvs[i])
		}
	}

	// A malformed line in a later batch: the error names it, and every op
	// before it was delivered, none after.
	bad := 2*batchLines + 5
	ls := strings.Split(text, "\n")
	ls[bad-1] = `{"type":"op","kind":"get","invoke":5,"complete":1,"outcome":"ok"}`
	n := 0
	err := readHistory(strings.NewReader(strings.Join(ls, "\n")), func(op) { n++ }, func(Event) {})
	if !errors.Is(err, errHistory) || !strings.Contains(err.Error(), fmt.Sprintf("line %d:", bad)) {
		t.Fatalf("error %v, want one naming line %d", err, bad)
	}
	before, _ := naiveHistory(strings.Join(ls[:bad-1], "\n"))
	if n != len(before) {
		t.Errorf("%d ops delivered before the bad line, want %d", n, len(before))
	}
}
