package maelstrom

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// ElleReason is the reason the transactional workloads' verdict is
// Unknown until their isolation checker lands.
const ElleReason = "isolation checking (Elle) is issue #22, not yet implemented"

// txn is txn-list-append and txn-rw-register: each request is a
// transaction of 1..MaxTxnLength micro-ops on a few integer keys at a
// time; reads are ["r", k, null], list appends ["append", k, v] and
// register writes ["w", k, v], v a client's unique int (so unique per key,
// as Elle requires). Clients move to fresh keys after OpsPerKey
// transactions, or each key retires after MaxWritesPerKey writes.
type txn struct {
	base
	write string     // "append" or "w"
	pool  *writePool // the write bound's keys, shared by the clients
}

func newTxn(name string, o Options) Workload {
	w := txn{base{name, o}, "append", newWritePool(o)}
	if name == "txn-rw-register" {
		w.write = "w"
	}
	return w
}

// Client implements Workload.
func (w txn) Client(client int, seed int64) Generator {
	vals := newUniqueInts(client, w.opts.Clients)
	keys := newKeyChooser(w.opts, w.pool)
	maxLen := orDefault(w.opts.MaxTxnLength, 4)
	return w.generate(client, seed, func(r *rand.Rand) Request {
		keys.next()
		mops := make([][3]any, 1+r.IntN(maxLen))
		for i := range mops {
			slot := keys.slot(r)
			if r.IntN(2) == 0 {
				mops[i] = [3]any{"r", keys.key(slot, false), nil}
			} else {
				mops[i] = [3]any{w.write, keys.key(slot, true), vals.take()}
			}
		}
		args, _ := json.Marshal(map[string]any{"txn": mops})
		return Request{F: "txn", Args: args}
	})
}

// Judge implements Workload: the verdict is Unknown under any fault, so
// none is refused.
func (w txn) Judge(f Fault) error { return judge(w.name, f, true) }

// Check implements Workload: the history is recorded and counted, and the
// verdict is Unknown with ElleReason: never Valid.
func (w txn) Check(_ context.Context, run Run) checker.Result {
	f := newFindings(w.name, run.Ops)
	ok, total := 0, 0
	for _, i := range calls(run.Ops, "txn") {
		total++
		if run.Ops[i].Outcome == history.OK {
			ok++
		}
	}
	res := f.done(ok, ElleReason)
	res.Verdict, res.Reason = checker.Unknown, ElleReason
	res.Text = fmt.Sprintf("%s: unknown: %s (%d of %d transactions ok, recorded in the history)", w.name, ElleReason, ok, total)
	return res
}
