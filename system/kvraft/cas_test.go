package kvraft

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestMachineCAS: a CAS sets the key exactly when its value is From, or
// when it has none and Create; it returns what it found; a duplicate
// changes nothing and returns what the first found, also after a
// snapshot and restore.
func TestMachineCAS(t *testing.T) {
	m := NewMachine()
	steps := []struct {
		op      Op
		wantV   string
		wantErr Err
		after   string // the key's value afterwards ("" for none)
	}{
		{Op{Kind: OpCAS, Key: "k", From: "1", Value: "2", ClientID: 1, Seq: 1}, "", ErrNoKey, ""},                // missing, no create
		{Op{Kind: OpCAS, Key: "k", From: "1", Value: "2", Create: true, ClientID: 1, Seq: 2}, "", ErrNoKey, "2"}, // created
		{Op{Kind: OpCAS, Key: "k", From: "1", Value: "3", ClientID: 2, Seq: 1}, "2", OK, "2"},                    // precondition fails
		{Op{Kind: OpCAS, Key: "k", From: "2", Value: "3", Create: true, ClientID: 2, Seq: 2}, "2", OK, "3"},      // swaps
		{Op{Kind: OpCAS, Key: "k", From: "2", Value: "3", Create: true, ClientID: 2, Seq: 2}, "2", OK, "3"},      // duplicate: same answer
		{Op{Kind: OpCAS, Key: "k", From: "1", Value: "9", Create: true, ClientID: 1, Seq: 2}, "", ErrNoKey, "3"}, // duplicate of the create
		{Op{Kind: OpPut, Key: "k", Value: "5", ClientID: 2, Seq: 3}, "", OK, "5"},
		{Op{Kind: OpCAS, Key: "k", From: "5", Value: "6", ClientID: 2, Seq: 1}, "", ErrNoKey, "5"}, // stale: ignored
	}
	for i, s := range steps {
		v, err := m.Apply(i+1, s.op)
		if v != s.wantV || err != s.wantErr {
			t.Fatalf("step %d %+v: got (%q, %s), want (%q, %s)", i, s.op, v, err, s.wantV, s.wantErr)
		}
		if got, _ := m.Read("k"); got != s.after {
			t.Fatalf("step %d %+v: k = %q afterwards, want %q", i, s.op, got, s.after)
		}
	}
	r := NewMachine()
	if err := r.Restore(m.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Snapshot(), m.Snapshot()) {
		t.Fatal("restored machine snapshots differently")
	}
	if v, err := r.Apply(100, Op{Kind: OpCAS, Key: "k", From: "1", Value: "9", Create: true, ClientID: 1, Seq: 2}); v != "" || err != ErrNoKey {
		t.Fatalf("duplicate CAS after restore: (%q, %s), want what the first found", v, err)
	}
}

func TestSwapped(t *testing.T) {
	for _, c := range []struct {
		prev    string
		existed bool
		from    string
		create  bool
		want    bool
	}{
		{"1", true, "1", false, true}, {"1", true, "2", true, false}, {"", false, "", true, true},
		{"", false, "", false, false}, {"", true, "", false, true},
	} {
		if got := Swapped(c.prev, c.existed, c.from, c.create); got != c.want {
			t.Errorf("Swapped(%q, %v, %q, %v) = %v, want %v", c.prev, c.existed, c.from, c.create, got, c.want)
		}
	}
}

// TestCASCounterUnreliable: clients increment one counter by CAS on an
// unreliable network (requests and replies lost, so CASes are retried
// and deduplicated); every increment a client saw succeed counts exactly
// once in the final value.
func TestCASCounterUnreliable(t *testing.T) {
	c := newCluster(t, 3, true, -1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const clients, incs = 4, 8
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for range clients {
		cl := c.makeClient()
		wg.Go(func() {
			for done := 0; done < incs; {
				cur, err := cl.Get(ctx, "n")
				if err != nil {
					errs <- err
					return
				}
				next := "1"
				if cur != "" {
					v, _ := strconv.Atoi(cur)
					next = strconv.Itoa(v + 1)
				}
				prev, existed, err := cl.CAS(ctx, "n", cur, next, cur == "")
				if err != nil {
					errs <- err
					return
				}
				if Swapped(prev, existed, cur, cur == "") {
					done++
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, err := c.makeClient().Get(ctx, "n"); err != nil || got != strconv.Itoa(clients*incs) {
		t.Fatalf("counter = %q (%v), want %d", got, err, clients*incs)
	}
}
