package maelstrom

import (
	"context"
	"fmt"
	"math/rand/v2"

	"faultline/workloads/checker"
)

// uniqueIDs: clients ask for ids; every id returned must be unique.
type uniqueIDs struct{ base }

// Client implements Workload: generate requests, with no fields.
func (w uniqueIDs) Client(client int, seed int64) Generator {
	return w.generate(client, seed, func(*rand.Rand) Request { return Request{F: "generate"} })
}

// Judge implements Workload: uniqueness is judged under any Maelstrom
// fault; a node that reuses ids after a kill and restart is caught.
func (w uniqueIDs) Judge(f Fault) error { return judge(w.name, f, true) }

// Check implements Workload: the ids of ok replies are pairwise distinct
// (compared as canonical JSON, so 1 and "1" differ, as they do in
// Maelstrom). The text reports availability: the fraction of requests
// that were ok.
func (uniqueIDs) Check(_ context.Context, run Run) checker.Result {
	f := newFindings("unique-ids", run.Ops)
	oks := okCalls(run.Ops, "generate")
	first := make(map[string]int)
	for _, i := range oks {
		raw, err := fieldOf([]byte(run.Ops[i].Output), "id")
		if err != nil {
			f.add(checker.MalformedReply, "generate", fmt.Sprintf("the reply has no id: %v", err), i)
			continue
		}
		id := canonical(raw)
		if j, dup := first[id]; dup {
			f.add(checker.DuplicateID, "generate", fmt.Sprintf("id %s returned twice", snip(id)), j, i)
			continue
		}
		first[id] = i
	}
	res := f.done(len(oks), "")
	res.Text = res.Summary() + "; " + Availability{OK: len(oks), Requests: len(calls(run.Ops, "generate"))}.String()
	return res
}
