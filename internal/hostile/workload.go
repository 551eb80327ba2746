package hostile

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"faultline/internal/kvcheck"
	"faultline/system/backend"
	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// opTimeout bounds one operation of a Workload.
const opTimeout = 5 * time.Second

// Workload is a history of appends and reads by several clients on a few
// keys, recorded for the linearizability check and for the check that
// every acknowledged append is readable. Run may be called several times
// (before and after a restart, say); every run adds to the same history.
type Workload struct {
	Keys []string
	rec  *kvcheck.Recorder
	apps *kvcheck.Appends

	mu    sync.Mutex
	next  map[int]int // client -> its next append's number
	acked int
}

// NewWorkload returns an empty workload over keys.
func NewWorkload(keys ...string) *Workload {
	return &Workload{Keys: keys, rec: kvcheck.NewRecorder(), apps: kvcheck.NewAppends(), next: map[int]int{}}
}

// Run has every client do ops operations at once, alternating an append of
// a unique token and a read of a key, each bounded by opTimeout and all by
// ctx. An operation that fails is recorded with an unknown outcome. It
// fails the test when fewer than half of the appends were acknowledged.
func (w *Workload) Run(ctx context.Context, t testing.TB, clients []backend.Client, ops int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked, appends := 0, 0
	for id, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ops {
				if ctx.Err() != nil {
					return
				}
				key := w.Keys[(id+k)%len(w.Keys)]
				if k%2 == 0 {
					ok := w.appendOne(ctx, id, cl, key)
					mu.Lock()
					appends++
					if ok {
						acked++
					}
					mu.Unlock()
				} else {
					w.get(ctx, id, cl, key)
				}
			}
		}()
	}
	wg.Wait()
	if acked*2 < appends {
		t.Fatalf("only %d of %d appends acknowledged", acked, appends)
	}
}

func (w *Workload) appendOne(ctx context.Context, id int, cl backend.Client, key string) bool {
	w.mu.Lock()
	j := w.next[id]
	w.next[id]++
	w.mu.Unlock()
	tok := kvcheck.Token(id, j)
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	call := w.rec.Now()
	err := cl.Append(ctx, key, tok)
	w.rec.Add(id, checker.Input{Kind: history.Append, Key: key, Value: tok, Unknown: err != nil}, "", call, w.rec.Now())
	w.apps.Add(key, id, j, err == nil)
	if err == nil {
		w.mu.Lock()
		w.acked++
		w.mu.Unlock()
	}
	return err == nil
}

func (w *Workload) get(ctx context.Context, id int, cl backend.Client, key string) {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	call := w.rec.Now()
	v, err := cl.Get(ctx, key)
	w.rec.Add(id, checker.Input{Kind: history.Get, Key: key, Unknown: err != nil}, v, call, w.rec.Now())
}

// Acked counts the appends acknowledged so far.
func (w *Workload) Acked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked
}

// Verify reads every key through cl and fails the test unless each
// acknowledged append is in its value exactly once and in its client's
// order, and the whole history is linearizable (porcupine says Ok within
// limit).
func (w *Workload) Verify(ctx context.Context, t testing.TB, cl backend.Client, limit time.Duration) {
	t.Helper()
	for _, key := range w.Keys {
		v, err := readBounded(ctx, cl, key)
		if err != nil {
			t.Fatalf("final read of %q: %v", key, err)
		}
		w.apps.Verify(t, key, v)
	}
	if res := w.rec.Check(t, limit); res != porcupine.Ok {
		t.Fatalf("linearizability of %d ops: %v, want ok", w.rec.Len(), res)
	}
}

// readBounded reads key, retrying failures until ctx ends or 20 s pass.
func readBounded(ctx context.Context, cl backend.Client, key string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		octx, ocancel := context.WithTimeout(ctx, opTimeout)
		v, err := cl.Get(octx, key)
		ocancel()
		if err == nil {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
