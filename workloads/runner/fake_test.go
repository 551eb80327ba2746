package runner

import (
	"context"
	"maps"
	"math/rand/v2"
	"sync"
	"time"

	"faultline/system/backend"
)

// fakeCluster is an in-memory, linearizable key/value cluster for tests,
// with a switch that stalls every op until released.
type fakeCluster struct {
	mu    sync.Mutex
	data  map[string]string
	stall chan struct{} // non-nil while stalled; closed to release
	ops   int

	// Deliberate bugs, for the checker tests.
	bug    bug
	rng    *rand.Rand
	snap   map[string]string // stale replica, refreshed every 16 writes
	writes int
}

type bug uint8

const (
	correct   bug = iota
	stale         // half the reads come from a lagging replica
	lostWrite     // a tenth of the writes are acknowledged but dropped
)

func newFake() *fakeCluster { return newBuggy(correct, 1) }

func newBuggy(b bug, seed uint64) *fakeCluster {
	return &fakeCluster{data: map[string]string{}, snap: map[string]string{}, bug: b,
		rng: rand.New(rand.NewPCG(seed, 99))}
}

// write applies fn to the data unless the lost-write bug drops it; the
// caller holds mu.
func (f *fakeCluster) write(key string, fn func(old string) string) {
	f.ops++
	if f.bug == lostWrite && f.rng.IntN(10) == 0 {
		return
	}
	f.data[key] = fn(f.data[key])
	f.writes++
	if f.bug == stale && f.writes%16 == 0 { // the snapshot serves the stale bug only
		f.snap = maps.Clone(f.data)
	}
}

func (f *fakeCluster) Nodes() []string { return []string{"n1"} }

func (f *fakeCluster) Client(ctx context.Context, id int) (backend.Client, error) {
	return &fakeClient{f: f}, nil
}

func (f *fakeCluster) Stop(ctx context.Context) error { return nil }

// stallFor stalls every op for d, from now.
func (f *fakeCluster) stallFor(d time.Duration) {
	f.mu.Lock()
	ch := make(chan struct{})
	f.stall = ch
	f.mu.Unlock()
	time.AfterFunc(d, func() {
		f.mu.Lock()
		f.stall = nil
		f.mu.Unlock()
		close(ch)
	})
}

type fakeClient struct{ f *fakeCluster }

func (c *fakeClient) wait(ctx context.Context) error {
	c.f.mu.Lock()
	ch := c.f.stall
	c.f.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *fakeClient) Get(ctx context.Context, key string) (string, error) {
	if err := c.wait(ctx); err != nil {
		return "", err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.ops++
	if c.f.bug == stale && c.f.rng.IntN(2) == 0 {
		return c.f.snap[key], nil
	}
	return c.f.data[key], nil
}

func (c *fakeClient) Put(ctx context.Context, key, value string) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.write(key, func(string) string { return value })
	return nil
}

func (c *fakeClient) Append(ctx context.Context, key, value string) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.write(key, func(old string) string { return old + value })
	return nil
}

func (c *fakeClient) Close() error { return nil }

// Bare implements backend.Barer with the fake's own clients.
func (f *fakeCluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	calls := make([]backend.BareCall, len(spec.Scripts))
	for i := range calls {
		calls[i] = backend.KVCall(&fakeClient{f: f})
	}
	return backend.RunBare(ctx, spec, calls, nil)
}

// plainCluster is a fakeCluster without the bare power.
type plainCluster struct{ f *fakeCluster }

func (p plainCluster) Nodes() []string { return p.f.Nodes() }
func (p plainCluster) Client(ctx context.Context, id int) (backend.Client, error) {
	return p.f.Client(ctx, id)
}
func (p plainCluster) Stop(ctx context.Context) error { return nil }
