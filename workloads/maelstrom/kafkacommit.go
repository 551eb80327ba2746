package maelstrom

import (
	"fmt"
	"sort"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// checkLost finds acknowledged sends that were lost, and returns how many
// others no poll saw (unseen).
func (c *kafkaCheck) checkLost() int {
	// The ok final polls that returned nothing for a key they asked for.
	finalEmpty := map[string][]pollOp{}
	maxOp := map[string]int{}
	for _, p := range c.polls {
		for k, ps := range p.msgs {
			for _, pr := range ps {
				if pr.offset == c.maxPolled[k] {
					maxOp[k] = p.op
				}
			}
		}
		if !c.hasFinal || c.ops[p.op].Invoke < c.final {
			continue
		}
		for k := range p.req {
			if len(p.msgs[k]) == 0 {
				finalEmpty[k] = append(finalEmpty[k], p)
			}
		}
	}
	unseen := 0
	for _, s := range c.sends {
		if c.polled[kMsg{s.key, s.msg}] {
			continue
		}
		if hi, ok := c.maxPolled[s.key]; ok && hi > s.offset {
			c.f.add(checker.LostMessage, s.key, fmt.Sprintf("message %s, acknowledged at offset %d of key %s, was never polled, though polls read up to offset %d",
				snip(s.msg), s.offset, s.key, hi), s.op, maxOp[s.key])
			continue
		}
		lost := false
		for _, p := range finalEmpty[s.key] {
			if p.req[s.key] <= s.offset && c.ops[p.op].Invoke > c.ops[s.op].Complete {
				c.f.add(checker.LostMessage, s.key, fmt.Sprintf("message %s, acknowledged at offset %d of key %s, is gone: a final poll from offset %d on %s returned nothing",
					snip(s.msg), s.offset, s.key, p.req[s.key], c.ops[p.op].Node), s.op, p.op)
				lost = true
				break
			}
		}
		if !lost {
			unseen++
		}
	}
	return unseen
}

// checkCommits finds listed committed offsets that nobody committed, or
// that went backwards.
func (c *kafkaCheck) checkCommits() {
	type listed struct {
		op     int
		offset int64
	}
	byKey := map[string][]listed{}
	for _, l := range c.lists {
		for _, k := range sortedKeys(l.offsets) {
			o := l.offsets[k]
			byKey[k] = append(byKey[k], listed{l.op, o})
			if hi, found := c.committedBefore(k, c.ops[l.op].Complete); o > 0 && (!found || o > hi) {
				c.f.add(checker.CommitInvented, k, fmt.Sprintf("listing returned committed offset %d of key %s, beyond any offset a client had committed (%s)",
					o, k, highest(hi, found)), l.op)
			}
		}
	}
	for _, k := range sortedKeys(byKey) {
		ls := byKey[k]
		// By completion, with the highest offset listed so far.
		sort.Slice(ls, func(i, j int) bool { return c.ops[ls[i].op].Complete < c.ops[ls[j].op].Complete })
		best := make([]int, len(ls)) // index of the highest offset among ls[:i+1]
		for i := range ls {
			best[i] = i
			if i > 0 && ls[best[i-1]].offset >= ls[i].offset {
				best[i] = best[i-1]
			}
		}
		for _, l2 := range ls {
			n := sort.Search(len(ls), func(i int) bool { return c.ops[ls[i].op].Complete >= c.ops[l2.op].Invoke })
			if n == 0 {
				continue
			}
			l1 := ls[best[n-1]]
			if l1.offset > l2.offset && !c.mayLandAfter(k, l2.offset, c.ops[l1.op].Invoke, c.ops[l2.op].Complete) {
				c.f.add(checker.CommitRegressed, k, fmt.Sprintf("committed offset of key %s went back from %d to %d, and every commit of %d was acknowledged before the earlier listing began",
					k, l1.offset, l2.offset, l2.offset), l1.op, l2.op)
			}
		}
	}
}

// committedBefore returns the highest offset of key k that a commit (ok
// or unknown) invoked before time t asked for, and whether there was one.
func (c *kafkaCheck) committedBefore(k string, t int64) (int64, bool) {
	var hi int64
	found := false
	for ko, js := range c.commits {
		if ko.key != k || found && ko.offset <= hi {
			continue
		}
		for _, j := range js {
			if c.ops[j].Invoke < t {
				hi, found = ko.offset, true
				break
			}
		}
	}
	return hi, found
}

// highest describes committedBefore's answer.
func highest(hi int64, found bool) string {
	if !found {
		return "none had"
	}
	return fmt.Sprintf("the highest was %d", hi)
}

// mayLandAfter reports whether a commit of offset o of key k, invoked
// before until, may have taken effect after time after: its outcome is
// unknown, or it completed after that time.
func (c *kafkaCheck) mayLandAfter(k string, o, after, until int64) bool {
	for _, j := range c.commits[kOff{k, o}] {
		op := &c.ops[j]
		if op.Invoke < until && (op.Outcome == history.Info || op.Complete >= after) {
			return true
		}
	}
	return false
}
