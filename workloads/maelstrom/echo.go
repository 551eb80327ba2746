package maelstrom

import (
	"context"
	"fmt"
	"math/rand/v2"

	"faultline/workloads/checker"
)

// echo: clients send arbitrary payloads; nodes must send each back.
type echo struct{ base }

// Client implements Workload: echo requests carrying "Please echo N".
func (w echo) Client(client int, seed int64) Generator {
	return w.generate(client, seed, func(r *rand.Rand) Request {
		return Request{F: "echo", Args: fmt.Appendf(nil, `{"echo":"Please echo %d"}`, r.IntN(128))}
	})
}

// Judge implements Workload: echo is judged under any Maelstrom fault
// (a duplicated request is echoed twice, harmlessly).
func (w echo) Judge(f Fault) error { return judge(w.name, f, true) }

// Check implements Workload: every ok reply carries exactly the payload
// of its request. Failed and unknown requests prove nothing.
func (echo) Check(_ context.Context, run Run) checker.Result {
	f := newFindings("echo", run.Ops)
	oks := okCalls(run.Ops, "echo")
	for _, i := range oks {
		op := &run.Ops[i]
		sent, err := fieldOf([]byte(op.Value), "echo")
		if err != nil {
			f.add(checker.MalformedReply, "echo", fmt.Sprintf("the recorded request does not decode: %v", err), i)
			continue
		}
		got, err := fieldOf([]byte(op.Output), "echo")
		if err != nil {
			f.add(checker.BadEcho, "echo", fmt.Sprintf("the reply carries no payload: %v", err), i)
			continue
		}
		if canonical(sent) != canonical(got) {
			f.add(checker.BadEcho, "echo", fmt.Sprintf("sent %s, echoed %s", snip(canonical(sent)), snip(canonical(got))), i)
		}
	}
	return f.done(len(oks), "")
}
