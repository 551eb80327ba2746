package labcluster

import (
	"testing"
	"time"
)

// WaitFor polls cond every 10ms until it holds, and fails t if d passes
// first.
func WaitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Within runs f and fails t if it does not return within d.
func Within(t testing.TB, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	if _, ok := recv(done, d); !ok {
		t.Fatalf("%s did not finish within %v", what, d)
	}
}

// Recv returns the next value received from ch (the result of a call made
// in another goroutine), and fails t if none arrives within d.
func Recv[T any](t testing.TB, d time.Duration, what string, ch <-chan T) T {
	t.Helper()
	v, ok := recv(ch, d)
	if !ok {
		t.Fatalf("%s did not arrive within %v", what, d)
	}
	return v
}

// recv receives from ch, reporting false if nothing arrives within d.
func recv[T any](ch <-chan T, d time.Duration) (T, bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v, true
	case <-timer.C:
		var zero T
		return zero, false
	}
}
