package maelstrom

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// linKV: reads, writes and compare-and-sets of small integers on a few
// integer keys at a time, as Jepsen's linearizable-register test makes
// them; each client moves to fresh keys after Options.OpsPerKey ops, or
// each key retires after Options.MaxWritesPerKey writes and cases, so that
// each key's history stays small enough for porcupine.
type linKV struct {
	base
	pool *writePool // the write bound's keys, shared by the clients
}

// Client implements Workload: read, write and cas in equal parts, values
// 0..4, keys KeyCount at a time.
func (w linKV) Client(client int, seed int64) Generator {
	keys := newKeyChooser(w.opts, w.pool)
	return w.generate(client, seed, func(r *rand.Rand) Request {
		keys.next()
		slot := keys.slot(r)
		f := r.IntN(3)
		k := keys.key(slot, f != 0)
		key := strconv.FormatInt(k, 10)
		switch f {
		case 0:
			return Request{F: "read", Args: fmt.Appendf(nil, `{"key":%d}`, k),
				Op: history.Op{Kind: history.Read, Key: key}}
		case 1:
			v := r.IntN(5)
			return Request{F: "write", Args: fmt.Appendf(nil, `{"key":%d,"value":%d}`, k, v),
				Op: history.Op{Kind: history.Write, Key: key, Value: strconv.Itoa(v)}}
		}
		from, to := r.IntN(5), r.IntN(5)
		return Request{F: "cas", Args: fmt.Appendf(nil, `{"key":%d,"from":%d,"to":%d}`, k, from, to),
			Op: history.Op{Kind: history.CAS, Key: key, Expect: strconv.Itoa(from), Value: strconv.Itoa(to)}}
	})
}

// Judge implements Workload: linearizability is judged under every fault,
// but a duplicated write delivered late may overwrite a later one, which
// the check would blame on the node.
func (w linKV) Judge(f Fault) error { return judge(w.name, f, false) }

// Check implements Workload: per key, porcupine with the register model
// (checker.Linearizable, the one porcupine model of the project). Failed
// ops (Maelstrom's definite codes: a cas whose precondition failed, a
// missing key) are dropped; unknown writes and cases may take effect at any
// time after their invocation. A read whose ok reply did not decode is a
// MalformedReply and makes the result Invalid.
func (linKV) Check(ctx context.Context, run Run) checker.Result {
	f := newFindings("register", run.Ops)
	for i := range run.Ops {
		if op := &run.Ops[i]; op.Kind == history.Read && strings.HasPrefix(op.Error, malformed) {
			f.add(checker.MalformedReply, op.Key, op.Error, i)
		}
	}
	res := checker.Linearizable{}.Check(ctx, checker.Run{Ops: run.Ops, Events: run.Events, Dir: run.Dir})
	if len(f.res.Counts) == 0 {
		return res
	}
	for k, n := range f.res.Counts {
		if res.Counts == nil {
			res.Counts = map[checker.AnomalyKind]int{}
		}
		res.Counts[k] += n
	}
	res.Anomalies = append(res.Anomalies, f.res.Anomalies...)
	res.Verdict, res.Text = checker.Invalid, ""
	return res
}
