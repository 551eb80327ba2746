package chaos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/transport/tcp"
	"faultline/workloads/results"
)

// event is one recorded fault window or point.
type event struct {
	kind, desc  string
	nodes       []string
	start, stop time.Time
	open, point bool
}

// rec is a recorder for tests.
type rec struct {
	mu     sync.Mutex
	t0     time.Time
	events []*event
	faults []results.Fault
}

// Now is the time since the first call, in nanoseconds.
func (r *rec) Now() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.t0.IsZero() {
		r.t0 = time.Now()
	}
	return int64(time.Since(r.t0))
}

func (r *rec) Fault(f results.Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, f)
}

// faultList copies the fault records.
func (r *rec) faultList() []results.Fault {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.faults)
}

func (r *rec) Begin(kind string, nodes []string, desc string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, &event{kind: kind, desc: desc, nodes: nodes, start: time.Now(), open: true})
	return len(r.events) - 1
}

func (r *rec) End(id int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id >= 0 && id < len(r.events) && r.events[id].open {
		r.events[id].open = false
		r.events[id].stop = time.Now()
	}
}

func (r *rec) Point(kind string, nodes []string, desc string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.events = append(r.events, &event{kind: kind, desc: desc, nodes: nodes, start: now, stop: now, point: true})
}

// snapshot copies the events.
func (r *rec) snapshot() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]event, len(r.events))
	for i, e := range r.events {
		out[i] = *e
	}
	return out
}

// find returns the first event of kind, if any.
func (r *rec) find(kind string) (event, bool) {
	for _, e := range r.snapshot() {
		if e.kind == kind {
			return e, true
		}
	}
	return event{}, false
}

// await waits until an event of the kind is recorded and returns the
// first one.
func (r *rec) await(t *testing.T, kind string) event {
	t.Helper()
	waitFor(t, "a "+kind+" event", func() bool { _, ok := r.find(kind); return ok })
	ev, _ := r.find(kind)
	return ev
}

// waitFor polls until cond holds or 10s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeCluster has every power; it records calls and keeps a tcp fault
// table.
type fakeCluster struct {
	names  []string
	faults *tcp.Faults

	mu     sync.Mutex
	leader string
	down   map[string]bool
	paused map[string]bool
	calls  []string
	groups []int
	joined []int
	fail   string // a call that fails ("Kill n1")
	// failN makes a call ("restart n1") fail that many more times with
	// "connection refused"; a negative count fails it forever.
	failN map[string]int
}

func newFake(n int) *fakeCluster {
	return &fakeCluster{names: names(n), faults: tcp.NewFaults(1), leader: "n0",
		down: map[string]bool{}, paused: map[string]bool{}, groups: []int{1, 2, 3}, joined: []int{1},
		failN: map[string]int{}}
}

func (c *fakeCluster) Nodes() []string { return slices.Clone(c.names) }
func (c *fakeCluster) Client(context.Context, int) (backend.Client, error) {
	return nil, errors.New("fake: no clients")
}
func (c *fakeCluster) Stop(context.Context) error    { return nil }
func (c *fakeCluster) Faults() transport.LinkFaulter { return c.faults }

func (c *fakeCluster) call(what, node string, set map[string]bool, v bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, what+" "+node)
	if c.fail == what+" "+node {
		return errors.New("fake failure")
	}
	if k := c.failN[what+" "+node]; k != 0 {
		c.failN[what+" "+node] = k - 1
		return errors.New("connection refused")
	}
	if set[node] == v {
		return fmt.Errorf("fake: %s %s: already done", what, node)
	}
	set[node] = v
	return nil
}

func (c *fakeCluster) Kill(_ context.Context, n string) error { return c.call("kill", n, c.down, true) }
func (c *fakeCluster) Restart(_ context.Context, n string) error {
	return c.call("restart", n, c.down, false)
}
func (c *fakeCluster) Pause(_ context.Context, n string) error {
	return c.call("pause", n, c.paused, true)
}
func (c *fakeCluster) Resume(_ context.Context, n string) error {
	return c.call("resume", n, c.paused, false)
}

func (c *fakeCluster) Leader(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leader, nil
}

func (c *fakeCluster) Groups() []int { return slices.Clone(c.groups) }
func (c *fakeCluster) Join(_ context.Context, g []int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprint("join ", g))
	c.joined = append(c.joined, g...)
	return nil
}
func (c *fakeCluster) Leave(_ context.Context, g []int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprint("leave ", g))
	c.joined = slices.DeleteFunc(c.joined, func(x int) bool { return slices.Contains(g, x) })
	return nil
}
func (c *fakeCluster) Move(_ context.Context, shard, gid int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprintf("move %d %d", shard, gid))
	return nil
}
func (c *fakeCluster) Joined(context.Context) ([]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.joined), nil
}

func (c *fakeCluster) callList() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// bare is a cluster with no powers at all.
type bare struct{ n int }

func (b bare) Nodes() []string { return names(b.n) }
func (b bare) Client(context.Context, int) (backend.Client, error) {
	return nil, errors.New("bare: no clients")
}
func (b bare) Stop(context.Context) error { return nil }

// legacyFake is a fakeCluster whose fault table does not say what it
// supports (no transport.FaultSupport), as a transport knowing only the
// original link faults.
type legacyFake struct{ *fakeCluster }

// legacyTable hides the table's SupportsLink.
type legacyTable struct{ transport.LinkFaulter }

func (c legacyFake) Faults() transport.LinkFaulter { return legacyTable{c.faults} }
