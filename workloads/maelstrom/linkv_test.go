package maelstrom

import (
	"context"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// linOp records a lin-kv op through Request.Record, as the runner does.
func linOp(h *hist, client int, req Request, reply string, err error, invoke, complete int64) int {
	op := req.Record([]byte(reply), err)
	op.Client, op.Node, op.Invoke, op.Complete = client, "n0", invoke, complete
	h.ops = append(h.ops, op)
	return len(h.ops) - 1
}

var (
	read1  = Request{F: "read", Args: []byte(`{"key":1}`), Op: history.Op{Kind: history.Read, Key: "1"}}
	write1 = func(v string) Request {
		return Request{F: "write", Op: history.Op{Kind: history.Write, Key: "1", Value: v}}
	}
	cas1 = func(from, to string) Request {
		return Request{F: "cas", Op: history.Op{Kind: history.CAS, Key: "1", Expect: from, Value: to}}
	}
	timeout = context.DeadlineExceeded
)

func TestLinKVValid(t *testing.T) {
	h := &hist{}
	linOp(h, 1, write1("3"), `{"type":"write_ok"}`, nil, 1, 2)
	linOp(h, 2, read1, `{"type":"read_ok","value":3}`, nil, 3, 4)
	linOp(h, 1, cas1("3", "4"), `{"type":"cas_ok"}`, nil, 5, 6)
	linOp(h, 2, cas1("3", "1"), "", definite(22), 7, 8) // precondition failed: Fail, dropped
	linOp(h, 3, write1("2"), "", timeout, 9, 10)        // unknown: may land any time later
	linOp(h, 2, read1, `{"type":"read_ok","value":4.0}`, nil, 11, 12)
	linOp(h, 1, read1, `{"type":"read_ok","value":2}`, nil, 13, 14)
	res := mustWorkload(t, "lin-kv").Check(context.Background(), h.run())
	wantVerdict(t, res, checker.Valid)
	if res.Ops != 6 {
		t.Fatalf("%d ops judged: %s", res.Ops, res.Summary())
	}
}

// TestLinKVStaleRead: a node serves its old value 3 after the write of 4
// completed.
func TestLinKVStaleRead(t *testing.T) {
	h := &hist{}
	linOp(h, 1, write1("3"), `{}`, nil, 1, 2)
	linOp(h, 1, write1("4"), `{}`, nil, 3, 4)
	linOp(h, 2, read1, `{"type":"read_ok","value":3}`, nil, 5, 6)
	res := mustWorkload(t, "lin-kv").Check(context.Background(), h.run())
	wantVerdict(t, res, checker.Invalid)
	if res.Counts[checker.NonLinearizable] != 1 || len(res.Anomalies) != 1 || res.Anomalies[0].Key != "1" {
		t.Fatalf("%s\n%s", res.Summary(), anomalies(res))
	}
}

// TestLinKVMissingKey: a read of a missing key (error 20) is a definite
// failure, and a read of null is the register's initial value.
func TestLinKVMissingKey(t *testing.T) {
	h := &hist{}
	linOp(h, 1, read1, "", definite(20), 1, 2)
	linOp(h, 2, read1, `{"type":"read_ok","value":null}`, nil, 3, 4)
	linOp(h, 1, write1("1"), `{}`, nil, 5, 6)
	if h.ops[0].Outcome != history.Fail || h.ops[1].Output != "" {
		t.Fatalf("recorded %v / %v", h.ops[0], h.ops[1])
	}
	wantVerdict(t, mustWorkload(t, "lin-kv").Check(context.Background(), h.run()), checker.Valid)
}

func TestLinKVMalformedRead(t *testing.T) {
	h := &hist{}
	linOp(h, 1, write1("1"), `{}`, nil, 1, 2)
	bad := linOp(h, 2, read1, `{"type":"read_ok","val":1}`, nil, 3, 4)
	res := mustWorkload(t, "lin-kv").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.MalformedReply, []int{bad}, `no "value" field`)
}

func TestLinKVUnknownOnly(t *testing.T) {
	h := &hist{}
	linOp(h, 1, read1, "", timeout, 1, 2)
	wantVerdict(t, mustWorkload(t, "lin-kv").Check(context.Background(), h.run()), checker.Unknown)
}
