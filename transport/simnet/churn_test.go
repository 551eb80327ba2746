package simnet

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
)

// incarnation is a server that knows when it has been crashed. Its handler
// reports in the reply whether it finished after its crash became known; such
// replies must never reach a caller.
type incarnation struct {
	id   int
	dead atomic.Bool
}

// IncArgs and IncReply are incarnation's messages.
type IncArgs struct {
	// Spin is how many short sleeps the handler takes.
	Spin int
}

type IncReply struct {
	ID        int
	AfterDead bool
}

func (s *incarnation) Work(args *IncArgs, reply *IncReply) {
	for range args.Spin {
		time.Sleep(time.Microsecond)
	}
	reply.ID = s.id
	reply.AfterDead = s.dead.Load()
}

// TestChurn runs calls from many goroutines while servers are crashed and
// replaced, ends toggled and links changed, under an unreliable network. It
// checks labrpc's rule that a crashed server's late replies are never
// delivered, and (under -race) the network's locking.
func TestChurn(t *testing.T) {
	const servers, callers, calls = 3, 12, 150
	n := newNet(t)
	n.Reliable(false)
	var mu sync.Mutex
	current := make([]*incarnation, servers)
	nextID := 0
	start := func(i int) {
		mu.Lock()
		defer mu.Unlock()
		if old := current[i]; old != nil {
			n.DeleteServer(fmt.Sprint(i))
			old.dead.Store(true)
		}
		nextID++
		inc := &incarnation{id: nextID}
		srv := transport.NewServer()
		if err := srv.RegisterName("Inc", inc); err != nil {
			t.Error(err)
		}
		n.AddServer(fmt.Sprint(i), srv)
		current[i] = inc
	}
	for i := range servers {
		start(i)
	}

	var wg sync.WaitGroup
	var ok atomic.Int64
	for c := range callers {
		name := fmt.Sprint("end", c)
		e := connect(n, name, fmt.Sprint(c%servers))
		n.SetOrigin(name, fmt.Sprint("client", c%2))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				var reply IncReply
				if e.Call("Inc.Work", &IncArgs{Spin: i % 5}, &reply) {
					ok.Add(1)
					if reply.AfterDead {
						t.Errorf("%s got a reply from incarnation %d finished after its crash", name, reply.ID)
					}
				}
			}
		}()
	}
	stop := make(chan struct{})
	churned := make(chan struct{})
	go func() {
		defer close(churned)
		r := rand.New(rand.NewPCG(uint64(n.Seed()), 7))
		for {
			select {
			case <-stop:
				return
			default:
			}
			switch r.IntN(4) {
			case 0:
				start(r.IntN(servers))
			case 1:
				name := fmt.Sprint("end", r.IntN(callers))
				n.Enable(name, false)
				n.Enable(name, true)
			case 2:
				from, to := fmt.Sprint("client", r.IntN(2)), fmt.Sprint(r.IntN(servers))
				if err := n.SetLink(from, to, transport.LinkFaults{Drop: r.Float64() / 2, Duplicate: 0.2, Reorder: 0.2, ReorderDelay: time.Millisecond}); err != nil {
					t.Error(err)
				}
			case 3:
				n.HealAll()
			}
			time.Sleep(time.Millisecond) // pacing, not synchronisation
		}
	}()
	wg.Wait()
	close(stop)
	<-churned
	if ok.Load() == 0 {
		t.Fatal("no call succeeded under churn")
	}
	t.Logf("%d of %d calls succeeded", ok.Load(), callers*calls)
}
