package maelstrom

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// checkSet is the check of broadcast and g-set (Maelstrom's set-full
// check, with broadcast for add):
//
//   - every value an ok add sent is in every node's last ok final read
//     (else LostValue, naming the nodes that lack it);
//   - no read holds a value no add sent, or one whose add failed
//     (UnexpectedValue, reported once per value); values of adds with unknown outcome may be
//     present or absent;
//   - a read reply that is not an object with the list field is a
//     MalformedReply.
//
// The verdict is Unknown when there was no final phase, or when a node has
// no ok final read (its state is unknown) and nothing else is wrong. The
// text reports each acknowledged value's stable latency, from its add's
// invocation to the completion of the last read that missed it (0 when
// none did), as quantiles, and messages per op when run.Net is known.
func checkSet(name, add, field, readField string, run Run) checker.Result {
	ops := run.Ops
	f := newFindings(name, ops)
	fr := newFinalReads(run.Events)

	type ackedAdd struct {
		op  int
		val string
	}
	sent := map[string]int{} // value -> an add of it, one that did not fail if any
	var acked []ackedAdd     // ok adds
	adds := calls(ops, add)
	for _, i := range adds {
		raw, err := fieldOf([]byte(ops[i].Value), field)
		if err != nil {
			f.add(checker.MalformedReply, add, fmt.Sprintf("the recorded request has no %s: %v", field, err), i)
			continue
		}
		v := canonical(raw)
		if j, ok := sent[v]; !ok || ops[j].Outcome == history.Fail {
			sent[v] = i
		}
		if ops[i].Outcome == history.OK {
			acked = append(acked, ackedAdd{i, v})
		}
	}

	// Every ok read's set, by op index; the final reads.
	type read struct {
		op  int
		set map[string]bool
	}
	var reads []read
	setOf := map[int]map[string]bool{}
	unexpected := map[string]bool{}
	for _, i := range calls(ops, "read") {
		op := &ops[i]
		if op.Outcome != history.OK {
			fr.see(ops, i, false)
			continue
		}
		raw, err := fieldOf([]byte(op.Output), readField)
		var vals []string
		if err == nil {
			vals, err = canonicalList(raw)
		}
		fr.see(ops, i, err == nil)
		if err != nil {
			f.add(checker.MalformedReply, "read", fmt.Sprintf("the reply has no %s list: %v", readField, err), i)
			continue
		}
		r := read{op: i, set: make(map[string]bool, len(vals))}
		for _, v := range vals {
			r.set[v] = true
			j, ok := sent[v]
			switch {
			case unexpected[v]:
				continue // reported once per value
			case !ok:
				unexpected[v] = true
				f.add(checker.UnexpectedValue, v, fmt.Sprintf("read %s, which no client sent", snip(v)), i)
			case ops[j].Outcome == history.Fail:
				unexpected[v] = true
				f.add(checker.UnexpectedValue, v, fmt.Sprintf("read %s, whose %s definitely failed", snip(v), add), j, i)
			}
		}
		reads = append(reads, r)
		setOf[i] = r.set
	}

	// Lost values and stable latencies.
	nodes := fr.nodes()
	var lat []time.Duration
	for _, a := range acked {
		i, v := a.op, a.val
		var missing []string
		for _, n := range nodes {
			if !setOf[fr.last[n]][v] {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			f.add(checker.LostValue, v, fmt.Sprintf("acknowledged %s %s is missing from the final read of %s",
				add, snip(v), strings.Join(missing, ", ")), i, fr.last[missing[0]])
			continue
		}
		var lastMiss int64 = -1
		for _, r := range reads {
			if o := &ops[r.op]; o.Invoke >= ops[i].Invoke && !r.set[v] && o.Complete > lastMiss {
				lastMiss = o.Complete
			}
		}
		lat = append(lat, time.Duration(max(0, lastMiss-ops[i].Invoke)))
	}

	reason := fr.reason("no final phase: acknowledged values cannot be confirmed on every node")
	res := f.done(len(adds)+len(reads), reason)
	res.Keys = len(sent)
	res.Text = res.Summary() + "; stable latency " + quantiles(lat) + msgsPerOp(run)
	return res
}

// quantiles describes ds by Maelstrom's stable-latency quantiles.
func quantiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n/a (no acknowledged value confirmed)"
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) time.Duration { return ds[int(p*float64(len(ds)-1))] }
	return fmt.Sprintf("min %v, p50 %v, p95 %v, p99 %v, max %v",
		ds[0].Round(time.Millisecond), q(0.5).Round(time.Millisecond), q(0.95).Round(time.Millisecond),
		q(0.99).Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
}

// msgsPerOp describes the router's messages per client op, as Maelstrom's
// net checker reports them, when the run knows them.
func msgsPerOp(run Run) string {
	if run.Net == nil {
		return ""
	}
	n := 0
	for i := range run.Ops {
		if run.Ops[i].Client > 0 {
			n++
		}
	}
	if n == 0 {
		return "; messages per op: no client ops"
	}
	per := func(m int64) float64 { return float64(m) / float64(n) }
	return fmt.Sprintf("; messages per op %.2f (clients %.2f, servers %.2f)", per(run.Net.All), per(run.Net.Clients), per(run.Net.Servers))
}
