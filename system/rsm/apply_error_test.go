package rsm

import (
	"errors"
	"strings"
	"testing"
	"time"

	"faultline/internal/labcluster"
	"faultline/system/raft"
	"faultline/transport/wire"
)

// alien is a command the counter cannot apply.
type alien struct{ X int }

func init() { wire.Register(alien{}) }

// TestApplyErrorStopsReplicas: a committed command the state machine cannot
// apply stops every replica with a *raft.ApplyError naming its index and
// the cause (no panic, no silent skip); the Submit waiting for it fails at
// once; a restarted replica stops again with the same error.
func TestApplyErrorStopsReplicas(t *testing.T) {
	g := newGroup(t, Config{ApplyTimeout: time.Hour})
	r := waitLeader(t, g)
	if _, err := r.Submit(add{N: 1}); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	err := labcluster.Recv(t, 10*time.Second, "the error of the Submit of the alien command", submitAsync(r, alien{X: 7}))
	if !errors.Is(err, ErrShutdown) {
		t.Fatalf("Submit of the alien command: %v, want ErrShutdown", err)
	}
	index := 0
	stopped := func(i int) bool {
		select {
		case <-g.Server(i).(*replica).Stopped():
			return true
		default:
			return false
		}
	}
	check := func(i int) {
		rep := g.Server(i).(*replica)
		var ae *raft.ApplyError
		if !errors.As(rep.Err(), &ae) || !strings.Contains(rep.Err().Error(), "rsm.alien") {
			t.Fatalf("replica %d: Err() = %v, want an ApplyError about rsm.alien", i, rep.Err())
		}
		if index == 0 {
			index = ae.Index
		}
		if ae.Index != index {
			t.Fatalf("replica %d stopped at index %d, another at %d", i, ae.Index, index)
		}
	}
	// stopAll waits until every replica has stopped. A follower stops once
	// it learns the entry committed, which a leader that stopped at once
	// may not have told it: replicas that stopped are restarted, stop
	// again on the same entry, and tell the others.
	stopAll := func() {
		for round := 0; ; round++ {
			if round == 20 {
				t.Fatal("replicas still running after 20 rounds of restarts")
			}
			labcluster.WaitFor(t, 10*time.Second, "a replica to stop", func() bool { return stopped(0) || stopped(1) || stopped(2) })
			// Let the others catch up before restarting anyone.
			all := func() bool { return stopped(0) && stopped(1) && stopped(2) }
			if poll(2*time.Second, all) {
				break
			}
			for i := range g.N() {
				if stopped(i) {
					check(i)
					g.ShutdownServer(i)
					g.StartServer(i)
				}
			}
			g.ConnectAll()
		}
		for i := range g.N() {
			check(i)
		}
	}
	stopAll()
	// A restart stops again, with the same error.
	for i := range g.N() {
		g.ShutdownServer(i)
		g.StartServer(i)
	}
	g.ConnectAll()
	stopAll()
}

// poll reports whether cond holds within d, checking every 10 ms.
func poll(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); ; {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}
