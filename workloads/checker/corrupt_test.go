package checker

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"faultline/workloads/history"
)

// corrupt applies one random mutation to a copy of an append history and
// says what it did. The result may or may not still be linearizable; it is
// always well-formed for CheckAppend (append tokens stay unique).
func corrupt(in []history.Op, r *rand.Rand) (string, []history.Op) {
	ops := make([]history.Op, len(in))
	copy(ops, in)
	var reads, appends []int
	for i, op := range ops {
		switch {
		case op.Kind == history.Get && op.Outcome == history.OK:
			reads = append(reads, i)
		case op.Kind == history.Append:
			appends = append(appends, i)
		}
	}
	pick := func(xs []int) int { return xs[r.IntN(len(xs))] }
	split := func(s string) []string {
		toks, _ := history.SplitTokens(s)
		out := make([]string, len(toks))
		for i, t := range toks {
			out[i] = t.String()
		}
		return out
	}
	for range 20 { // retry until a mutation applies
		switch m := r.IntN(11); {
		case m == 0 && len(reads) > 0: // drop the last token of a read
			i := pick(reads)
			toks := split(ops[i].Output)
			if len(toks) == 0 {
				continue
			}
			ops[i].Output = strings.Join(toks[:len(toks)-1], "")
			return fmt.Sprintf("op %d: dropped last token", i), ops
		case m == 1 && len(reads) > 0: // remove a token from the middle
			i := pick(reads)
			toks := split(ops[i].Output)
			if len(toks) < 2 {
				continue
			}
			j := r.IntN(len(toks) - 1)
			ops[i].Output = strings.Join(append(toks[:j:j], toks[j+1:]...), "")
			return fmt.Sprintf("op %d: removed token %d", i, j), ops
		case m == 2 && len(reads) > 0: // swap two adjacent tokens
			i := pick(reads)
			toks := split(ops[i].Output)
			if len(toks) < 2 {
				continue
			}
			j := r.IntN(len(toks) - 1)
			toks[j], toks[j+1] = toks[j+1], toks[j]
			ops[i].Output = strings.Join(toks, "")
			return fmt.Sprintf("op %d: swapped tokens %d and %d", i, j, j+1), ops
		case m == 3 && len(reads) > 0 && len(appends) > 0: // append some append's token
			i, a := pick(reads), pick(appends)
			ops[i].Output += ops[a].Value
			return fmt.Sprintf("op %d: added token of op %d", i, a), ops
		case m == 4 && len(reads) > 1: // one read returns another's value
			i, j := pick(reads), pick(reads)
			ops[i].Output = ops[j].Output
			return fmt.Sprintf("op %d: output of op %d", i, j), ops
		case m == 5: // move an op in time
			i := r.IntN(len(ops))
			d := ops[i].Complete - ops[i].Invoke
			shift := r.Int64N(4_000_000) - 2_000_000
			ops[i].Invoke = max(0, ops[i].Invoke+shift)
			ops[i].Complete = ops[i].Invoke + d
			return fmt.Sprintf("op %d: shifted by %d ns", i, shift), ops
		case m == 6 && len(appends) > 0: // change an append's outcome
			i := pick(appends)
			o := history.Outcome(1 + r.IntN(3))
			if o == ops[i].Outcome {
				continue
			}
			ops[i].Outcome = o
			return fmt.Sprintf("op %d: outcome %v", i, o), ops
		case m == 7 && len(reads) > 0: // garbage at the end
			i := pick(reads)
			ops[i].Output += "c1.s"
			return fmt.Sprintf("op %d: truncated token added", i), ops
		case m == 8 && len(reads) > 0: // duplicate a token
			i := pick(reads)
			toks := split(ops[i].Output)
			if len(toks) == 0 {
				continue
			}
			ops[i].Output += toks[r.IntN(len(toks))]
			return fmt.Sprintf("op %d: duplicated a token", i), ops
		case m == 9 && len(reads) > 0: // a token nobody wrote
			i := pick(reads)
			ops[i].Output += "c99.s0;"
			return fmt.Sprintf("op %d: added a never-written token", i), ops
		case m == 10 && len(reads) > 0: // make a read stale: cut it short
			i := pick(reads)
			toks := split(ops[i].Output)
			if len(toks) == 0 {
				continue
			}
			ops[i].Output = strings.Join(toks[:r.IntN(len(toks))], "")
			return fmt.Sprintf("op %d: cut short", i), ops
		}
	}
	return "unchanged", ops
}
