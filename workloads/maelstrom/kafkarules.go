package maelstrom

import (
	"fmt"
	"sort"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// decode reads the sends, polls, commits and listings, recording every
// offset they show; it returns how many ops it judged.
func (c *kafkaCheck) decode() int {
	c.msgAt, c.reported, c.commits = map[kOff]string{}, map[any]bool{}, map[kOff][]int{}
	firstAt := map[kMsg]int{} // op that first showed each message's offset
	record := func(k string, o int64, m string, i int) {
		ko, km := kOff{k, o}, kMsg{k, m}
		if j, ok := c.at[ko]; !ok {
			c.at[ko], c.msgAt[ko] = i, m
		} else if c.msgAt[ko] != m && !c.reported[ko] {
			c.reported[ko] = true
			c.f.add(checker.OffsetReuse, k, fmt.Sprintf("offset %d of key %s holds message %s and message %s",
				o, k, snip(c.msgAt[ko]), snip(m)), j, i)
		}
		offs := c.offsetsOf[km]
		if offs == nil {
			offs = map[int64]bool{}
			c.offsetsOf[km], firstAt[km] = offs, i
		}
		if !offs[o] && len(offs) > 0 && !c.reported[km] {
			c.reported[km] = true
			c.f.add(checker.DuplicateMessage, k, fmt.Sprintf("message %s of key %s appears at offset %d and at another offset",
				snip(m), k, o), firstAt[km], i)
		}
		offs[o] = true
		c.known[k] = append(c.known[k], knownOff{o, c.ops[i].Complete})
	}
	judged := 0
	for i := range c.ops {
		op := &c.ops[i]
		if op.Kind != history.Call {
			continue
		}
		switch op.Key {
		case "send":
			k, m, err := decodeSend(op.Value)
			if err != nil {
				c.f.add(checker.MalformedReply, k, fmt.Sprintf("the recorded request does not decode: %v", err), i)
				continue
			}
			judged++
			if op.Outcome != history.OK {
				continue
			}
			o, err := decodeSendOK(op.Output)
			if err != nil {
				c.f.add(checker.MalformedReply, k, err.Error(), i)
				continue
			}
			record(k, o, m, i)
			c.sends = append(c.sends, sendOp{i, k, m, o})
		case "poll":
			if op.Outcome != history.OK {
				continue
			}
			judged++
			req, err := decodeOffsets(op.Value)
			msgs, err2 := decodeMsgs(op.Output)
			if err = firstErr(err, err2); err != nil {
				c.f.add(checker.MalformedReply, "poll", err.Error(), i)
				continue
			}
			for k, ps := range msgs {
				for _, p := range ps {
					record(k, p.offset, p.msg, i)
					c.polled[kMsg{k, p.msg}] = true
					if hi, ok := c.maxPolled[k]; !ok || p.offset > hi {
						c.maxPolled[k] = p.offset
					}
				}
			}
			c.polls = append(c.polls, pollOp{i, req, msgs})
		case "commit_offsets":
			if op.Outcome == history.Fail {
				continue
			}
			offs, err := decodeOffsets(op.Value)
			if err != nil {
				c.f.add(checker.MalformedReply, "commit_offsets", fmt.Sprintf("the recorded request does not decode: %v", err), i)
				continue
			}
			judged++
			for k, o := range offs {
				c.commits[kOff{k, o}] = append(c.commits[kOff{k, o}], i)
			}
		case "list_committed_offsets":
			if op.Outcome != history.OK {
				continue
			}
			judged++
			offs, err := decodeOffsets(op.Output)
			if err != nil {
				c.f.add(checker.MalformedReply, "list_committed_offsets", err.Error(), i)
				continue
			}
			c.lists = append(c.lists, listOp{i, offs})
		}
	}
	return judged
}

// checkPolls finds polls whose offsets do not rise or skip known offsets.
func (c *kafkaCheck) checkPolls() {
	for _, p := range c.polls {
		for _, k := range sortedKeys(p.msgs) {
			r, hasPrev := p.req[k]
			prev := r - 1
			for n, pr := range p.msgs[k] {
				switch {
				case hasPrev && pr.offset <= prev && n == 0:
					c.f.add(checker.NonmonotonicOffsets, k, fmt.Sprintf("poll of key %s from offset %d returned offset %d first", k, r, pr.offset), p.op)
				case hasPrev && pr.offset <= prev:
					c.f.add(checker.NonmonotonicOffsets, k, fmt.Sprintf("poll of key %s returned offset %d after offset %d", k, pr.offset, prev), p.op)
				case hasPrev:
					if skipped := c.knownBetween(k, prev, pr.offset, c.ops[p.op].Invoke); len(skipped) > 0 {
						c.f.add(checker.SkippedOffset, k, fmt.Sprintf("poll of key %s went from offset %d to %d, skipping offsets %v that existed before it began",
							k, prev, pr.offset, skipped), p.op, c.at[kOff{k, skipped[0]}])
					}
				}
				prev, hasPrev = max(prev, pr.offset), true
			}
		}
	}
}

// maxSkipped bounds the skipped offsets an anomaly lists.
const maxSkipped = 10

// knownBetween returns (at most maxSkipped of) the offsets of key k strictly between a and b shown
// by ops that completed before time before.
func (c *kafkaCheck) knownBetween(k string, a, b, before int64) []int64 {
	ks := c.known[k]
	var out []int64
	for i := sort.Search(len(ks), func(i int) bool { return ks[i].offset > a }); i < len(ks) && ks[i].offset < b; i++ {
		if ks[i].done < before && (len(out) == 0 || out[len(out)-1] != ks[i].offset) {
			out = append(out, ks[i].offset)
			if len(out) == maxSkipped {
				break
			}
		}
	}
	return out
}

// checkSends finds a client's sends to a key whose offsets do not rise.
func (c *kafkaCheck) checkSends() {
	byClient := map[int][]sendOp{}
	for _, s := range c.sends {
		cl := c.ops[s.op].Client
		byClient[cl] = append(byClient[cl], s)
	}
	for _, ss := range byClient {
		sort.Slice(ss, func(i, j int) bool { return c.ops[ss[i].op].Invoke < c.ops[ss[j].op].Invoke })
		last := map[string]sendOp{}
		for _, s := range ss {
			if p, ok := last[s.key]; ok && s.offset <= p.offset {
				c.f.add(checker.NonmonotonicOffsets, s.key, fmt.Sprintf("client %d's send to key %s got offset %d after its earlier send got %d",
					c.ops[s.op].Client, s.key, s.offset, p.offset), p.op, s.op)
			}
			last[s.key] = s
		}
	}
}

// sortedKeys returns m's keys in order, so that findings are
// deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
