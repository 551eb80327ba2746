package maelstrom

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"faultline/system/backend"
	"faultline/workloads/checker"
)

// setWorkload is broadcast and g-set: clients add unique ints (broadcast
// messages, set elements) and read the whole set; after the faults heal
// every node is read once more. Maelstrom checks both with one set check.
type setWorkload struct {
	base
	add       string // the add request's type
	field     string // the add request's value field
	readField string // the read reply's list field
	topology  bool   // send the topology message at setup
}

func newBroadcast(o Options) Workload {
	return setWorkload{base: base{"broadcast", o}, add: "broadcast", field: "message", readField: "messages", topology: true}
}

func newGSet(o Options) Workload {
	return setWorkload{base: base{"g-set", o}, add: "add", field: "element", readField: "value"}
}

// Setup implements Workload: broadcast sends every node the whole topology
// map (Options.Topology), as Maelstrom does; g-set has no setup.
func (w setWorkload) Setup(ctx context.Context, nodes []string, inv backend.Invoker) error {
	if !w.topology {
		return nil
	}
	topo, err := Topology(w.opts.Topology, nodes)
	if err != nil {
		return err
	}
	args, err := json.Marshal(map[string]any{"topology": topo})
	if err != nil {
		return fmt.Errorf("encode topology: %w", err)
	}
	for _, n := range nodes {
		if _, err := inv.Invoke(ctx, n, "topology", args); err != nil {
			return fmt.Errorf("topology message to %s: %w", n, err)
		}
	}
	return nil
}

// Client implements Workload: half adds of the client's unique ints, half
// reads, as Maelstrom's mix.
func (w setWorkload) Client(client int, seed int64) Generator {
	vals := newUniqueInts(client, w.opts.Clients)
	return w.generate(client, seed, func(r *rand.Rand) Request {
		if r.IntN(2) == 0 {
			return Request{F: "read"}
		}
		return Request{F: w.add, Args: fmt.Appendf(nil, `{%q:%d}`, w.field, vals.take())}
	})
}

// Final implements Workload: one read of every node.
func (w setWorkload) Final(ctx context.Context, nodes []string, inv backend.Invoker) error {
	return readEach(ctx, nodes, inv)
}

// readEach reads every node once; the outcomes are in the history (inv
// records them), so only the end of ctx is an error.
func readEach(ctx context.Context, nodes []string, inv backend.Invoker) error {
	for _, n := range nodes {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_, _ = inv.Invoke(ctx, n, "read", nil)
	}
	return ctx.Err()
}

// Judge implements Workload: the check needs only final reads after the
// faults heal, and adding an element twice changes no set.
func (w setWorkload) Judge(f Fault) error { return judge(w.name, f, true) }

// Check implements Workload with checkSet.
func (w setWorkload) Check(_ context.Context, run Run) checker.Result {
	return checkSet(w.name, w.add, w.field, w.readField, run)
}
