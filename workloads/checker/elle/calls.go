package elle

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// FromCalls converts the txn requests of a Maelstrom run (history.Call ops
// whose Key is "txn", Value {"txn":[["r",k,null],["append",k,v],...]} and,
// when ok, Output {"type":"txn_ok","txn":[...results...]}) into a
// transactional history. Other calls are skipped.
func FromCalls(ops []history.Op) (*history.Txns, error) {
	h := &history.Txns{}
	keys := map[string]int32{}
	for i := range ops {
		op := &ops[i]
		if op.Kind != history.Call || op.Key != "txn" {
			continue
		}
		body := op.Value
		if op.Outcome == history.OK {
			body = op.Output
		}
		var msg struct {
			Txn [][3]json.RawMessage `json:"txn"`
		}
		if err := json.Unmarshal([]byte(body), &msg); err != nil {
			return nil, fmt.Errorf("op %d: txn body: %w", i, err)
		}
		t := history.Txn{Process: op.Client, Index: int64(i), Invoke: op.Invoke, Complete: op.Complete, Outcome: op.Outcome}
		for j, raw := range msg.Txn {
			m, err := mopOf(raw, keys, h, op.Outcome == history.OK)
			if err != nil {
				return nil, fmt.Errorf("op %d micro-op %d: %w", i, j+1, err)
			}
			t.Mops = append(t.Mops, m)
		}
		h.Txns = append(h.Txns, t)
	}
	if h.Kind() == "list-append" {
		for i := range h.Txns {
			for j := range h.Txns[i].Mops {
				if m := &h.Txns[i].Mops[j]; m.Kind == history.MopRead {
					m.IsList = true
					m.Nil = m.Nil && h.Txns[i].Outcome != history.OK
				}
			}
		}
	}
	return h, h.Validate()
}

func mopOf(raw [3]json.RawMessage, keys map[string]int32, h *history.Txns, ok bool) (history.Mop, error) {
	var f string
	if err := json.Unmarshal(raw[0], &f); err != nil {
		return history.Mop{}, fmt.Errorf("function %s: %w", raw[0], err)
	}
	name := string(raw[1])
	k, seen := keys[name]
	if !seen {
		k = int32(len(h.Keys))
		keys[name] = k
		h.Keys = append(h.Keys, name)
	}
	m := history.Mop{Key: k}
	switch f {
	case "r":
		m.Kind = history.MopRead
		var v any
		if err := json.Unmarshal(raw[2], &v); err != nil {
			return m, err
		}
		switch x := v.(type) {
		case nil:
			m.Nil = true
		case []any:
			m.IsList = true
			m.List = make([]int64, len(x))
			for i, e := range x {
				n, err := jsonInt(e)
				if err != nil {
					return m, err
				}
				m.List[i] = n
			}
		default:
			n, err := jsonInt(x)
			if err != nil {
				return m, err
			}
			m.Value = n
		}
		if !ok {
			m.Nil, m.List, m.Value = true, nil, 0
		}
		return m, nil
	case "append":
		m.Kind = history.MopAppend
	case "w":
		m.Kind = history.MopWrite
	default:
		return m, fmt.Errorf("unknown function %q, want r, append or w", f)
	}
	n, err := strconv.ParseInt(string(raw[2]), 10, 64)
	if err != nil {
		return m, fmt.Errorf("value %s is not an integer", raw[2])
	}
	m.Value = n
	return m, nil
}

func jsonInt(v any) (int64, error) {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f), nil
	}
	return 0, fmt.Errorf("value %v is not an integer", v)
}

// Checker runs Check on the txn calls of a run, as a checker.Checker.
type Checker struct {
	Options Options
}

// Name returns "elle".
func (Checker) Name() string { return "elle" }

// Check implements checker.Checker.
func (c Checker) Check(_ context.Context, r checker.Run) checker.Result {
	h, err := FromCalls(r.Ops)
	if err != nil {
		return checker.Result{Checker: "elle", Verdict: Unknown, Text: fmt.Sprintf("elle: unknown: cannot read the transactions: %v", err)}
	}
	return Check(h, c.Options).CheckerResult()
}

// CheckerResult converts r into the harness's one result type.
func (r *Result) CheckerResult() checker.Result {
	return checker.Result{Checker: "elle", Verdict: r.Verdict, Ops: r.Txns, Keys: r.Keys, Reason: r.Reason,
		Text: "elle " + r.Summary(), Elapsed: r.Elapsed}
}

var _ checker.Checker = Checker{}

// TxnOps returns the ops of run that FromCalls reads: its Ops or, in a
// history split by key, the part keyed "txn" (nil when it has none).
func TxnOps(run checker.Run) []history.Op {
	if run.Keyed == nil {
		return run.Ops
	}
	for i := range run.Keyed.Parts {
		if p := &run.Keyed.Parts[i]; p.Key == "txn" {
			return p.Ops
		}
	}
	return nil
}
