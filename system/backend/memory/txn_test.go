package memory

import (
	"context"
	"errors"
	"testing"
	"time"

	"faultline/system/backend"
)

func txn(s *Store, ops ...backend.TxnOp) []backend.TxnOp {
	var r TxnReply
	s.Txn(&TxnArgs{Ops: ops}, &r)
	return r.Ops
}

var (
	read = backend.TxnOp{F: "r", Key: "1", Nil: true}
	app  = func(v int64) backend.TxnOp { return backend.TxnOp{F: "append", Key: "1", Value: v} }
)

// TestStaleReadLags: in TxnStaleRead mode a read-only transaction sees
// the state as of the last snapshot (refreshed every staleEvery writing
// transactions), while a transaction that writes reads the live state;
// in TxnStrict mode every read is live.
func TestStaleReadLags(t *testing.T) {
	for _, mode := range TxnModes {
		s := NewStore()
		s.TxnMode = mode
		txn(s, app(1))
		ro := txn(s, read)[0]
		rw := txn(s, read, app(2))[0]
		if !rw.IsList || len(rw.List) != 1 {
			t.Fatalf("%s: a writing transaction read %+v, want [1]", mode, rw)
		}
		if stale := ro.Nil; stale != (mode == TxnStaleRead) {
			t.Fatalf("%s: a read-only transaction after a completed append read %+v", mode, ro)
		}
		for v := int64(3); v <= staleEvery; v++ {
			txn(s, app(v))
		}
		if got := txn(s, read)[0]; len(got.List) != staleEvery {
			t.Fatalf("%s: after %d writing transactions a read-only one read %d elements", mode, staleEvery, len(got.List))
		}
	}
}

// TestInvokeTxn: a process-mode node, given option txn, runs a
// transaction sent through the client's Invoker; other request types
// are refused definitely.
func TestInvokeTxn(t *testing.T) {
	sp := spec(t, backend.ModeProcess)
	sp.Options = map[string]string{"txn": TxnStaleRead}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Backend{}.Start(ctx, sp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	cl, err := c.Client(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	inv := cl.(backend.Invoker)
	reply, err := inv.Invoke(ctx, "", "txn", []byte(`{"txn":[["append",5,1],["r",5,null]]}`))
	if err != nil || string(reply) != `{"type":"txn_ok","txn":[["append",5,1],["r",5,[1]]]}` {
		t.Fatalf("reply %s, err %v", reply, err)
	}
	// Read-only, so served from the snapshot, which the node (in stale-read
	// mode) has not refreshed yet.
	reply, err = inv.Invoke(ctx, "", "txn", []byte(`{"txn":[["r",5,null]]}`))
	if err != nil || string(reply) != `{"type":"txn_ok","txn":[["r",5,null]]}` {
		t.Fatalf("stale read reply %s, err %v", reply, err)
	}
	if _, err := inv.Invoke(ctx, "", "echo", nil); !errors.Is(err, backend.ErrDefinite) {
		t.Fatalf("echo: %v, want a definite refusal", err)
	}
	if _, err := (Backend{}).Start(ctx, backend.Spec{Nodes: 1, Mode: backend.ModeInProcess, Dir: t.TempDir(),
		Options: map[string]string{"txn": "sloppy"}}); err == nil {
		t.Fatal("started with txn: sloppy")
	}
}
