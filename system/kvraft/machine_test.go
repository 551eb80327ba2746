package kvraft

import (
	"bytes"
	"math/rand"
	"strconv"
	"testing"
)

func TestMachineApply(t *testing.T) {
	m := NewMachine()
	steps := []struct {
		op      Op
		wantV   string
		wantErr Err
	}{
		{Op{Kind: OpGet, Key: "a"}, "", ErrNoKey},
		{Op{Kind: OpPut, Key: "a", Value: "1", ClientID: 7, Seq: 1}, "", OK},
		{Op{Kind: OpAppend, Key: "a", Value: "2", ClientID: 7, Seq: 2}, "", OK},
		{Op{Kind: OpAppend, Key: "a", Value: "2", ClientID: 7, Seq: 2}, "", OK}, // duplicate
		{Op{Kind: OpAppend, Key: "a", Value: "x", ClientID: 7, Seq: 1}, "", OK}, // stale
		{Op{Kind: OpAppend, Key: "a", Value: "3", ClientID: 8, Seq: 1}, "", OK}, // other client
		{Op{Kind: OpGet, Key: "a"}, "123", OK},
	}
	for i, s := range steps {
		v, err := m.Apply(i+1, s.op)
		if v != s.wantV || err != s.wantErr {
			t.Fatalf("step %d %+v: got (%q, %s), want (%q, %s)", i, s.op, v, err, s.wantV, s.wantErr)
		}
		if m.Applied() != i+1 {
			t.Fatalf("step %d: applied %d", i, m.Applied())
		}
	}
	if !m.Duplicate(7, 2) || m.Duplicate(7, 3) || m.Duplicate(9, 1) {
		t.Fatal("duplicate table wrong")
	}
}

// TestMachineDeterministic: replicas fed the same ops encode to the same
// snapshot, and a restored machine behaves like the original.
func TestMachineDeterministic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var ops []Op
	for i := range 2000 {
		ops = append(ops, Op{
			Kind:     OpKind(1 + rng.Intn(3)),
			Key:      strconv.Itoa(rng.Intn(20)),
			Value:    strconv.Itoa(i),
			ClientID: int64(rng.Intn(5)),
			Seq:      int64(i/3 + rng.Intn(3)),
		})
	}
	a, b := NewMachine(), NewMachine()
	for i, op := range ops {
		va, ea := a.Apply(i+1, op)
		vb, eb := b.Apply(i+1, op)
		if va != vb || ea != eb {
			t.Fatalf("op %d: replicas disagree", i)
		}
		if i == 1000 {
			c := NewMachine()
			if err := c.Restore(a.Snapshot()); err != nil {
				t.Fatal(err)
			}
			b = c // continue from the restored copy
		}
	}
	if !bytes.Equal(a.Snapshot(), b.Snapshot()) {
		t.Fatal("equal histories encode differently")
	}
}

func TestMachineRestoreRejects(t *testing.T) {
	m := NewMachine()
	if err := m.Restore([]byte{0xc1}); err == nil {
		t.Fatal("garbage restored")
	}
	if err := m.Restore(nil); err != nil || m.Len() != 0 || m.Applied() != 0 {
		t.Fatalf("empty restore: %v", err)
	}
}

func FuzzMachineRestore(f *testing.F) {
	m := NewMachine()
	m.Apply(1, Op{Kind: OpPut, Key: "k", Value: "v", ClientID: 1, Seq: 1})
	f.Add(m.Snapshot())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Machine
		if err := m.Restore(data); err != nil {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		var m2 Machine
		if err := m2.Restore(m.Snapshot()); err != nil {
			t.Fatalf("re-encoded snapshot does not decode: %v", err)
		}
		if !bytes.Equal(m.Snapshot(), m2.Snapshot()) {
			t.Fatal("snapshot not stable")
		}
	})
}
