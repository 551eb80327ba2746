package maelstrom

import (
	"context"
	"fmt"
	"math/rand/v2"

	"faultline/system/backend"
	"faultline/workloads/checker"
)

// counter is g-counter and pn-counter: clients add small deltas (g-counter
// 0..4, pn-counter -5..4, as Maelstrom draws them) and read the sum; after
// the faults heal every node is read once more.
type counter struct {
	base
	signed bool
}

func newCounter(name string, signed bool, o Options) Workload {
	return counter{base{name, o}, signed}
}

// Client implements Workload: half adds, half reads.
func (w counter) Client(client int, seed int64) Generator {
	return w.generate(client, seed, func(r *rand.Rand) Request {
		if r.IntN(2) == 0 {
			return Request{F: "read"}
		}
		d := r.IntN(5)
		if w.signed {
			d = r.IntN(10) - 5
		}
		return Request{F: "add", Args: fmt.Appendf(nil, `{"delta":%d}`, d)}
	})
}

// Final implements Workload: one read of every node.
func (w counter) Final(ctx context.Context, nodes []string, inv backend.Invoker) error {
	return readEach(ctx, nodes, inv)
}

// Judge implements Workload: final reads follow the heal, but a client's
// add duplicated by the network may be counted twice, which the check
// would blame on the node.
func (w counter) Judge(f Fault) error { return judge(w.name, f, false) }

// Check implements Workload with checkCounter.
func (w counter) Check(_ context.Context, run Run) checker.Result {
	return checkCounter(w.name, w.signed, run)
}
