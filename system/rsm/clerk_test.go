package rsm

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"faultline/system/raft"
)

type echoReply struct{ OK bool }

// fakeReplica answers ok when it is the leader, and counts its calls;
// onCall, if set, runs at each call with the count so far.
type fakeReplica struct {
	leader, reachable bool
	calls             int
	onCall            func(calls int)
}

func (f *fakeReplica) Call(_ string, _ any, reply any) bool {
	f.calls++
	if f.onCall != nil {
		f.onCall(f.calls)
	}
	reply.(*echoReply).OK = f.leader
	return f.reachable
}

// expiring is a context whose deadline passes when the test says so
// (expire), not at a time: what a test sees before it passes does not
// depend on how fast the machine runs.
type expiring struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (e *expiring) expire()               { e.once.Do(func() { close(e.done) }) }
func (e *expiring) Done() <-chan struct{} { return e.done }

func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func TestClerkFindsAndRemembersTheLeader(t *testing.T) {
	rs := []*fakeReplica{{reachable: false}, {reachable: true}, {reachable: true, leader: true}}
	ck := NewClerk([]raft.Peer{rs[0], rs[1], rs[2]}, time.Millisecond)
	done := func(r *echoReply) bool { return r.OK }
	for range 3 {
		if _, err := Call(context.Background(), ck, "S.M", nil, done); err != nil {
			t.Fatal(err)
		}
	}
	if rs[0].calls != 1 || rs[1].calls != 1 || rs[2].calls != 3 {
		t.Fatalf("calls %d %d %d, want 1 1 3: the clerk should stay with the leader", rs[0].calls, rs[1].calls, rs[2].calls)
	}
	if a, b := ck.NextSeq(), ck.NextSeq(); a != 1 || b != 2 || ck.ID <= 0 {
		t.Fatalf("session: id %d, seqs %d %d", ck.ID, a, b)
	}
}

// TestClerkCallEndsWithItsContext: a clerk that finds no leader goes
// round the replicas again after its pause, and returns the context's
// error once the context ends. The deadline passes at the first
// replica's second call (or, should the clerk never come back to it, at
// the third call to the second).
func TestClerkCallEndsWithItsContext(t *testing.T) {
	ctx := newExpiring()
	rs := []*fakeReplica{{reachable: true}, {reachable: false}}
	rs[0].onCall = func(n int) {
		if n == 2 {
			ctx.expire()
		}
	}
	rs[1].onCall = func(n int) {
		if n == 3 {
			ctx.expire()
		}
	}
	ck := NewClerk([]raft.Peer{rs[0], rs[1]}, time.Millisecond)
	_, err := Call(ctx, ck, "S.M", nil, func(r *echoReply) bool { return r.OK })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the context's deadline", err)
	}
	if rs[0].calls < 2 {
		t.Fatalf("%d calls to the first replica: the clerk should have retried", rs[0].calls)
	}
}
