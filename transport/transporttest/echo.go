package transporttest

import (
	"sync"
	"sync/atomic"
	"time"
)

// Echo is the suite's test service, registered under the name "Echo". It
// answers with what it was sent, counts its calls and records the order in
// which calls arrived. Implementations may reuse it in their own tests and
// benchmarks.
type Echo struct {
	id      string
	calls   atomic.Int64
	release chan struct{}
	once    sync.Once

	mu       sync.Mutex
	arrivals []int
}

// EchoArgs are the arguments of Echo's methods.
type EchoArgs struct {
	Seq     int
	Payload []byte
	// Max bounds how long Hold blocks when not released.
	Max time.Duration
}

// EchoReply is the reply of Echo's methods.
type EchoReply struct {
	Seq     int
	Payload []byte
	// Server is the id of the Echo that answered.
	Server string
}

// NewEcho returns an Echo that signs its replies with id.
func NewEcho(id string) *Echo {
	return &Echo{id: id, release: make(chan struct{})}
}

// Echo copies args into reply and records the arrival of args.Seq.
func (e *Echo) Echo(args *EchoArgs, reply *EchoReply) {
	e.calls.Add(1)
	e.mu.Lock()
	e.arrivals = append(e.arrivals, args.Seq)
	e.mu.Unlock()
	reply.Seq = args.Seq
	reply.Payload = args.Payload
	reply.Server = e.id
}

// Hold is Echo after blocking until Release is called or args.Max has
// passed.
func (e *Echo) Hold(args *EchoArgs, reply *EchoReply) {
	t := time.NewTimer(args.Max)
	defer t.Stop()
	select {
	case <-e.release:
	case <-t.C:
	}
	e.Echo(args, reply)
}

// Release unblocks every Hold call, now and later. It is idempotent.
func (e *Echo) Release() { e.once.Do(func() { close(e.release) }) }

// Calls returns how many calls of any method have completed their handler
// (Hold counts once it stops blocking).
func (e *Echo) Calls() int { return int(e.calls.Load()) }

// Arrivals returns the Seq of every call in the order the handlers ran.
func (e *Echo) Arrivals() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int(nil), e.arrivals...)
}
