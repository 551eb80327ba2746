package runner

import (
	"context"
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
}

func newFake() *fakeCluster { return &fakeCluster{data: map[string]string{}} }

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
	return c.f.data[key], nil
}

func (c *fakeClient) Put(ctx context.Context, key, value string) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.ops++
	c.f.data[key] = value
	return nil
}

func (c *fakeClient) Append(ctx context.Context, key, value string) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.ops++
	c.f.data[key] += value
	return nil
}

func (c *fakeClient) Close() error { return nil }
