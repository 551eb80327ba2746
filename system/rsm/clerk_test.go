package rsm

import (
	"context"
	"errors"
	"testing"
	"time"

	"faultline/system/raft"
)

type echoReply struct{ OK bool }

// fakeReplica answers ok when it is the leader, and counts its calls.
type fakeReplica struct {
	leader, reachable bool
	calls             int
}

func (f *fakeReplica) Call(_ string, _ any, reply any) bool {
	f.calls++
	reply.(*echoReply).OK = f.leader
	return f.reachable
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

func TestClerkCallEndsWithItsContext(t *testing.T) {
	rs := []*fakeReplica{{reachable: true}, {reachable: false}}
	ck := NewClerk([]raft.Peer{rs[0], rs[1]}, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := Call(ctx, ck, "S.M", nil, func(r *echoReply) bool { return r.OK })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the context's deadline", err)
	}
	if rs[0].calls < 2 {
		t.Fatalf("%d calls to the first replica: the clerk should have retried", rs[0].calls)
	}
}
