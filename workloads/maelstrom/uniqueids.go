package maelstrom

import (
	"context"
	"fmt"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// uniqueIDs: clients ask for ids; every id returned must be unique.
type uniqueIDs struct{ base }

func newUniqueIDs(o Options) Workload { return uniqueIDs{base{"unique-ids", o}} }

// Client implements Workload: generate requests, with no fields.
func (w uniqueIDs) Client(client int, _ int64) Generator {
	checkClient(client, w.opts.Clients)
	return stateless(func() Request { return Request{F: "generate"} })
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
	idx := calls(run.Ops, "generate")
	first := make(map[string]int)
	ok := 0
	for _, i := range idx {
		op := &run.Ops[i]
		if op.Outcome != history.OK {
			continue
		}
		ok++
		raw, err := fieldOf([]byte(op.Output), "id")
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
	res := f.done(ok, "")
	res.Text = res.Summary() + "; " + availability(ok, len(idx))
	return res
}

// availability describes the fraction of ok requests.
func availability(ok, total int) string {
	if total == 0 {
		return "availability: no requests"
	}
	return fmt.Sprintf("availability %.4f (%d of %d requests ok)", float64(ok)/float64(total), ok, total)
}
