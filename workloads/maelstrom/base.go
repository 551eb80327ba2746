package maelstrom

import (
	"context"
	"math/rand/v2"

	"faultline/system/backend"
)

// base is what the workloads without setup or final phase share.
type base struct {
	name string
	opts Options
}

// Name implements Workload.
func (b base) Name() string { return b.name }

// Setup implements Workload: nothing to set up.
func (base) Setup(context.Context, []string, backend.Invoker) error { return nil }

// Final implements Workload: no final phase.
func (base) Final(context.Context, []string, backend.Invoker) error { return nil }

// rng returns client's seeded source: the same seed and client give the
// same numbers.
func rng(seed int64, client int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(client)))
}

// generate returns client's Generator that draws each request with next
// from the client's seeded source and ignores replies.
func (b base) generate(client int, seed int64, next func(r *rand.Rand) Request) Generator {
	checkClient(client, b.opts.Clients)
	r := rng(seed, client)
	return stateless(func() Request { return next(r) })
}

// stateless is a Generator that ignores replies.
type stateless func() Request

// Next implements Generator.
func (g stateless) Next() Request { return g() }

// Update implements Generator: replies change nothing.
func (stateless) Update(Request, []byte, error) {}

// uniqueInts yields client's unique ints: client-1, then steps of clients,
// so that the clients' values interleave as Maelstrom's shared counter's
// do and never collide.
type uniqueInts struct{ next, step int64 }

func newUniqueInts(client, clients int) *uniqueInts {
	checkClient(client, clients)
	return &uniqueInts{next: int64(client - 1), step: int64(clients)}
}

func (u *uniqueInts) take() int64 {
	v := u.next
	u.next += u.step
	return v
}
