package elle

import (
	"context"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// TestFromCalls reads Maelstrom txn calls as the maelstrom workloads record
// them and checks them as a checker.Checker: a G1c and its near miss.
func TestFromCalls(t *testing.T) {
	call := func(c int, in, out string, inv, done int64) history.Op {
		return history.Op{Client: c, Kind: history.Call, Key: "txn", Value: in, Output: out, Invoke: inv, Complete: done, Outcome: history.OK}
	}
	bad := []history.Op{
		call(1, `{"txn":[["append",1,1],["r",2,null]]}`, `{"type":"txn_ok","txn":[["append",1,1],["r",2,[1]]]}`, 0, 10),
		call(2, `{"txn":[["append",1,2],["append",2,1]]}`, `{"type":"txn_ok","txn":[["append",1,2],["append",2,1]]}`, 1, 11),
		call(3, `{"txn":[["r",1,null]]}`, `{"type":"txn_ok","txn":[["r",1,[1,2]]]}`, 20, 30),
		{Client: 4, Kind: history.Call, Key: "txn", Value: `{"txn":[["r",1,null]]}`, Invoke: 21, Complete: 31, Outcome: history.Info},
		{Client: 5, Kind: history.Call, Key: "echo", Value: `{}`, Output: `{}`, Invoke: 22, Complete: 23, Outcome: history.OK},
	}
	h, err := FromCalls(bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Txns) != 4 || h.Kind() != "list-append" {
		t.Fatalf("%d txns of kind %q", len(h.Txns), h.Kind())
	}
	res := Checker{}.Check(context.Background(), checker.Run{Ops: bad})
	if res.Verdict != Invalid {
		t.Fatalf("G1c history: %s", res.Text)
	}
	bad[0].Output = `{"type":"txn_ok","txn":[["append",1,1],["r",2,[]]]}`
	if res := (Checker{}).Check(context.Background(), checker.Run{Ops: bad}); res.Verdict != Valid {
		t.Fatalf("near miss: %s", res.Text)
	}
	reg := []history.Op{
		call(1, `{"txn":[["w",1,1],["r",2,null]]}`, `{"type":"txn_ok","txn":[["w",1,1],["r",2,1]]}`, 0, 10),
		call(2, `{"txn":[["w",2,1],["r",1,null]]}`, `{"type":"txn_ok","txn":[["w",2,1],["r",1,1]]}`, 1, 11),
	}
	if res := (Checker{}).Check(context.Background(), checker.Run{Ops: reg}); res.Verdict != Invalid {
		t.Fatalf("rw-register G1c: %s", res.Text)
	}
	if _, err := FromCalls([]history.Op{call(1, `{"txn":[["cas",1,1]]}`, `{"txn":[["cas",1,1]]}`, 0, 1)}); err == nil {
		t.Fatal("unknown function accepted")
	}
}
