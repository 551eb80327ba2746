package maelstrom

import (
	"encoding/json"
	"fmt"
	"sort"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// maxDelta bounds the deltas and read values the counter check takes, so
// that no sum overflows; Maelstrom's are single digits.
const maxDelta = 1 << 32

// checkCounter is the check of g-counter and pn-counter:
//
//   - every node's last ok final read lies in the set of values the sum of the ok adds
//     plus any subset of the adds with unknown outcome allows (Maelstrom's
//     acceptable set; failed adds count for nothing), else
//     CounterOutOfBounds;
//   - every other ok read (earlier final reads included: the runner
//     repeats them until the nodes agree) is consistent: it lies between the sum of the
//     negative and the sum of the positive deltas of the adds (ok or
//     unknown) invoked before the read completed; a read of more than
//     could have been added is CounterOutOfBounds too.
//
// The verdict is Unknown when there was no final phase or a node has no ok
// final read, and nothing else is wrong.
func checkCounter(name string, signed bool, run Run) checker.Result {
	ops := run.Ops
	f := newFindings(name, ops)
	fr := newFinalReads(run.Events)

	var possible []timedDelta // ok and info adds, for the reads' bounds
	var definite int64
	var unknown []int64
	adds := calls(ops, "add")
	for _, i := range adds {
		var d int64
		if err := decodeField(ops[i].Value, "delta", &d); err != nil || d > maxDelta || d < -maxDelta || !signed && d < 0 {
			f.add(checker.MalformedReply, "add", fmt.Sprintf("the recorded request has no valid delta (%v)", err), i)
			continue
		}
		switch ops[i].Outcome {
		case history.OK:
			definite += d
		case history.Info:
			unknown = append(unknown, d)
		default:
			continue
		}
		possible = append(possible, timedDelta{ops[i].Invoke, d})
	}
	acceptable := subsetSums(definite, unknown)

	sort.Slice(possible, func(i, j int) bool { return possible[i].at < possible[j].at })
	neg := make([]int64, len(possible)+1) // prefix sums by invocation
	pos := make([]int64, len(possible)+1)
	for i, a := range possible {
		neg[i+1], pos[i+1] = neg[i]+min(a.delta, 0), pos[i]+max(a.delta, 0)
	}

	// inRun checks a read that is not a node's last final read.
	inRun := func(i int, n int64) {
		op := &ops[i]
		k := sort.Search(len(possible), func(j int) bool { return possible[j].at > op.Complete })
		if n < neg[k] || n > pos[k] {
			f.add(checker.CounterOutOfBounds, op.Node, fmt.Sprintf(
				"read %d, but the %s invoked before the read completed allow only [%d, %d]",
				n, plural(k, "add"), neg[k], pos[k]), i)
		}
	}
	var finals [][2]int64 // op index and value of the ok final reads
	reads := calls(ops, "read")
	for _, i := range reads {
		op := &ops[i]
		if op.Outcome != history.OK {
			fr.see(ops, i, false)
			continue
		}
		var v json.Number
		err := decodeField(op.Output, "value", &v)
		n, nerr := v.Int64()
		isFinal := fr.see(ops, i, err == nil && nerr == nil)
		if err != nil || nerr != nil {
			f.add(checker.MalformedReply, "read", fmt.Sprintf("the reply has no integer value (%v)", firstErr(err, nerr)), i)
			continue
		}
		if isFinal {
			finals = append(finals, [2]int64{int64(i), n})
			continue
		}
		inRun(i, n)
	}
	for _, r := range finals {
		i, n := int(r[0]), r[1]
		op := &ops[i]
		if fr.last[op.Node] != i {
			inRun(i, n) // an earlier final read, before the nodes agreed
			continue
		}
		if !acceptable.contains(n) {
			f.add(checker.CounterOutOfBounds, op.Node, fmt.Sprintf(
				"final read of %s returned %d; the %s acknowledged sum to %d and with the %s of unknown outcome the counter may hold %s",
				op.Node, n, plural(len(possible)-len(unknown), "add"), definite, plural(len(unknown), "add"), acceptable), i)
		}
	}

	reason := fr.reason("no final phase: the final value of the counter is unknown")
	res := f.done(len(adds)+len(reads), reason)
	res.Text = res.Summary() + fmt.Sprintf("; final reads may hold %s", acceptable) + msgsPerOp(run)
	return res
}

// timedDelta is an add's delta and invocation time.
type timedDelta struct {
	at    int64
	delta int64
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// plural returns "1 add" or "n adds".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
