package runner

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitDone waits for ctx to end, failing the test after a generous bound.
func waitDone(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("op context did not end")
	}
}

// TestOpContextDeadline: an op still in flight at its deadline ends with
// context.DeadlineExceeded, not before the deadline, and so does a
// context derived from it; the next op starts afresh.
func TestOpContextDeadline(t *testing.T) {
	d := newDeadlines(context.Background())
	defer d.close()
	start := time.Now()
	c := d.start(start, 30*time.Millisecond)
	child, cancel := context.WithCancel(c)
	defer cancel()
	if dl, ok := c.Deadline(); !ok || !dl.Equal(start.Add(30*time.Millisecond)) {
		t.Fatalf("Deadline = %v, %v", dl, ok)
	}
	waitDone(t, c)
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Fatalf("ended after %v, before its deadline", el)
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v, want DeadlineExceeded", c.Err())
	}
	waitDone(t, child)
	if !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Fatalf("derived Err = %v, want DeadlineExceeded", child.Err())
	}
	d.end(c)
	next := d.start(time.Now(), time.Minute)
	if next.Err() != nil {
		t.Fatalf("next op starts ended: %v", next.Err())
	}
	d.end(next)
	if !errors.Is(next.Err(), context.Canceled) {
		t.Fatalf("ended op Err = %v, want Canceled", next.Err())
	}
}

// TestOpContextRearms: after many ops that return well before their
// deadlines, an op that does not return still ends at its own deadline
// (the timer, armed for an earlier op, re-arms itself for it).
func TestOpContextRearms(t *testing.T) {
	d := newDeadlines(context.Background())
	defer d.close()
	const timeout = 20 * time.Millisecond
	for begin := time.Now(); time.Since(begin) < 3*timeout; {
		at := time.Now()
		c := d.start(at, timeout)
		d.end(c)
		// A busy machine may hold the goroutine past the deadline between
		// start and end; then the deadline rightly came first.
		if err := c.Err(); !errors.Is(err, context.Canceled) && !(errors.Is(err, context.DeadlineExceeded) && time.Since(at) >= timeout) {
			t.Fatalf("returned op Err = %v after %v, want Canceled", err, time.Since(at))
		}
	}
	start := time.Now()
	c := d.start(start, timeout)
	waitDone(t, c)
	if el := time.Since(start); el < timeout || !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Fatalf("last op ended after %v with %v, want >= %v and DeadlineExceeded", el, c.Err(), timeout)
	}
	d.end(c)
}

// TestOpContextEnd: ending an op closes its context and what derives
// from it (WithCancel, AfterFunc) at once; an AfterFunc stopped before
// the end does not run.
func TestOpContextEnd(t *testing.T) {
	d := newDeadlines(context.Background())
	defer d.close()
	c := d.start(time.Now(), time.Minute)
	child, cancel := context.WithCancel(c)
	defer cancel()
	ran := make(chan struct{})
	context.AfterFunc(c, func() { close(ran) })
	stopped := context.AfterFunc(c, func() { t.Error("stopped AfterFunc ran") })
	if !stopped() {
		t.Fatal("stop of a pending AfterFunc returned false")
	}
	select {
	case <-c.Done():
		t.Fatal("op context ended before its op")
	default:
	}
	d.end(c)
	waitDone(t, child)
	<-ran
	if !errors.Is(child.Err(), context.Canceled) {
		t.Fatalf("derived Err = %v, want Canceled", child.Err())
	}
}

// TestOpContextParent: the parent's end ends the op in flight, and every
// later op starts ended.
func TestOpContextParent(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	d := newDeadlines(parent)
	defer d.close()
	c := d.start(time.Now(), time.Minute)
	if c.Value(ctxKey{}) != "v" {
		t.Fatal("op context lost the parent's value")
	}
	cancel()
	waitDone(t, c)
	if !errors.Is(c.Err(), context.Canceled) {
		t.Fatalf("Err = %v, want Canceled", c.Err())
	}
	d.end(c)
	later := d.start(time.Now(), time.Minute)
	if !errors.Is(later.Err(), context.Canceled) {
		t.Fatalf("op after the parent ended: Err = %v", later.Err())
	}
	d.end(later)
}

type ctxKey struct{}
