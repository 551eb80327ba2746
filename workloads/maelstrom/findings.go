package maelstrom

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// maxExamples bounds the explained anomalies kept per kind.
const maxExamples = 5

// findings gathers a check's anomalies: every one counted, the first
// maxExamples of each kind explained.
type findings struct {
	res   checker.Result
	ops   []history.Op
	start time.Time
}

// newFindings starts the check called name over ops.
func newFindings(name string, ops []history.Op) *findings {
	return &findings{res: checker.Result{Checker: name}, ops: ops, start: time.Now()}
}

// add records one anomaly of kind k on key, explained by text, with the
// ops (indices into f.ops) involved.
func (f *findings) add(k checker.AnomalyKind, key, text string, ops ...int) {
	if f.res.Counts == nil {
		f.res.Counts = make(map[checker.AnomalyKind]int)
	}
	f.res.Counts[k]++
	if f.res.Counts[k] > maxExamples {
		return
	}
	a := checker.Anomaly{Kind: k, Key: key, Text: text}
	for _, i := range ops {
		a.Steps = append(a.Steps, checker.Step{Op: i, Desc: describe(&f.ops[i])})
	}
	f.res.Anomalies = append(f.res.Anomalies, a)
}

// done sets the verdict: Invalid with any anomaly, else Unknown when
// reason is set, else Valid; judged is the number of ops considered.
func (f *findings) done(judged int, reason string) checker.Result {
	f.res.Ops = judged
	switch {
	case len(f.res.Counts) > 0:
		f.res.Verdict = checker.Invalid
	case reason != "":
		f.res.Verdict, f.res.Reason = checker.Unknown, reason
	case judged == 0:
		f.res.Verdict, f.res.Reason = checker.Unknown, checker.NothingToCheck
	default:
		f.res.Verdict = checker.Valid
	}
	if reason != "" && f.res.Reason == "" {
		f.res.Reason = reason
	}
	f.res.Elapsed = time.Since(f.start)
	return f.res
}

// describe tells an op's client, node, times, request and outcome.
func describe(op *history.Op) string {
	s := fmt.Sprintf("client %d", op.Client)
	if op.Node != "" {
		s += " via " + op.Node
	}
	what := op.Key + " " + snip(op.Value)
	switch op.Kind {
	case history.Read:
		what = fmt.Sprintf("read key %s", op.Key)
	case history.Write:
		what = fmt.Sprintf("write key %s = %s", op.Key, op.Value)
	case history.CAS:
		what = fmt.Sprintf("cas key %s from %s to %s", op.Key, op.Expect, op.Value)
	}
	s += fmt.Sprintf(": %s, invoked %s, ", what, secs(op.Invoke))
	switch op.Outcome {
	case history.OK:
		s += "ok at " + secs(op.Complete)
		if op.Output != "" {
			s += ", replied " + snip(op.Output)
		}
	case history.Fail:
		s += "failed at " + secs(op.Complete)
	default:
		s += "outcome unknown (gave up at " + secs(op.Complete) + ")"
	}
	return s
}

// secs formats run nanoseconds as seconds with millisecond precision.
func secs(ns int64) string {
	return strconv.FormatFloat(float64(ns)/1e9, 'f', 3, 64) + " s"
}

// snip shortens s to at most 120 bytes for explanations.
func snip(s string) string {
	const n = 120
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// okCalls returns the indices of the ok history.Call ops of type f.
func okCalls(ops []history.Op, f string) []int {
	var out []int
	for _, i := range calls(ops, f) {
		if ops[i].Outcome == history.OK {
			out = append(out, i)
		}
	}
	return out
}

// calls returns the indices of the history.Call ops of type f.
func calls(ops []history.Op, f string) []int {
	var out []int
	for i := range ops {
		if ops[i].Kind == history.Call && ops[i].Key == f {
			out = append(out, i)
		}
	}
	return out
}

// finalReads tracks the final phase's reads: the nodes a final read was
// sent to and, per node, its last ok final read.
type finalReads struct {
	start     int64
	has       bool            // the run had a final phase
	attempted map[string]bool // nodes sent a final read
	last      map[string]int  // node -> op index of its last ok final read
}

func newFinalReads(events []history.Event) *finalReads {
	start, has := finalStart(events)
	return &finalReads{start: start, has: has, attempted: map[string]bool{}, last: map[string]int{}}
}

// see notes read op i, usable when it is ok and its reply decoded, and
// reports whether it is a final read.
func (fr *finalReads) see(ops []history.Op, i int, usable bool) bool {
	op := &ops[i]
	if !fr.has || op.Invoke < fr.start {
		return false
	}
	fr.attempted[op.Node] = true
	if j, ok := fr.last[op.Node]; usable && (!ok || ops[j].Invoke < op.Invoke) {
		fr.last[op.Node] = i
	}
	return true
}

// nodes returns the nodes with an ok final read, sorted.
func (fr *finalReads) nodes() []string { return sortedKeys(fr.last) }

// reason says why the final reads leave a check Unknown, or "": noFinal
// when there was no final phase, else the nodes whose final reads all
// failed.
func (fr *finalReads) reason(noFinal string) string {
	var unread []string
	for n := range fr.attempted {
		if _, ok := fr.last[n]; !ok {
			unread = append(unread, n)
		}
	}
	sort.Strings(unread)
	switch {
	case !fr.has:
		return noFinal
	case len(fr.last) == 0:
		return "no final read succeeded"
	case len(unread) > 0:
		return fmt.Sprintf("no ok final read of %s", strings.Join(unread, ", "))
	}
	return ""
}
