package etcd

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/internal/nodetest"
	"faultline/system/backend"
)

var modes = []backend.Mode{backend.ModeInProcess, backend.ModeProcess}

// startCluster starts a 3-member cluster in mode, stopped at cleanup.
func startCluster(t *testing.T, mode backend.Mode, fsync bool) *Cluster {
	t.Helper()
	spec := backend.Spec{Nodes: 3, Mode: mode, Dir: t.TempDir(), Fsync: fsync}
	if mode == backend.ModeProcess {
		spec.Exec = selfExec(t)
	}
	return startSpec(t, spec)
}

// startSpec starts the cluster of spec, stopped at cleanup.
func startSpec(t *testing.T, spec backend.Spec) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bc, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return c
}

// newClient returns a client closed at cleanup.
func newClient(t *testing.T, c *Cluster, id int) backend.Client {
	t.Helper()
	cl, err := c.Client(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// eventually calls f until it returns nil or timeout passes, then fails
// with f's last error.
func eventually(t *testing.T, timeout time.Duration, f func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", timeout, err)
		}
		time.Sleep(50 * time.Millisecond) // bounded poll
	}
}

// waitLeader waits for a leader other than any in not and returns it.
func waitLeader(t *testing.T, c *Cluster, not ...string) string {
	t.Helper()
	var leader string
	eventually(t, 30*time.Second, func(ctx context.Context) error {
		l, err := c.Leader(ctx)
		if err != nil {
			return err
		}
		if l == "" || slices.Contains(not, l) {
			return fmt.Errorf("leader = %q, want one not in %q", l, not)
		}
		leader = l
		return nil
	})
	if !slices.Contains(c.Nodes(), leader) {
		t.Fatalf("leader %q is not one of %q", leader, c.Nodes())
	}
	return leader
}

func TestOperations(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			c := startCluster(t, mode, true)
			cl := newClient(t, c, 0)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			nodetest.GetPutAppend(ctx, t, cl, "k")
			if err := cl.Append(ctx, "new", "x"); err != nil {
				t.Fatal(err)
			}
			other := newClient(t, c, 1)
			if v, err := other.Get(ctx, "k"); err != nil || v != "12" {
				t.Fatalf("Get(k) from another client = %q, %v; want 12", v, err)
			}
			if v, err := other.Get(ctx, "new"); err != nil || v != "x" {
				t.Fatalf("Get(new) = %q, %v; want x", v, err)
			}
			if n := other.(backend.Served).LastNode(); !slices.Contains(c.Nodes(), n) {
				t.Fatalf("LastNode = %q, want one of %q", n, c.Nodes())
			}
		})
	}
}

// TestConcurrentAppend has clients append unique tokens to two keys at
// once and checks that every acknowledged token appears exactly once,
// tokens with an unknown outcome at most once, and nothing else.
func TestConcurrentAppend(t *testing.T) {
	const clients, perClient = 8, 15
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			c := startCluster(t, mode, false)
			keys := []string{"a", "b"}
			var mu sync.Mutex
			acked := map[string]string{}   // token -> key
			unknown := map[string]string{} // token -> key
			var wg sync.WaitGroup
			for w := range clients {
				cl := newClient(t, c, w)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perClient {
						key := keys[(w+i)%len(keys)]
						tok := fmt.Sprintf("[%d.%d]", w, i)
						ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
						err := cl.Append(ctx, key, tok)
						cancel()
						mu.Lock()
						switch {
						case err == nil:
							acked[tok] = key
						case !errors.Is(err, backend.ErrDefinite):
							unknown[tok] = key
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(acked) < clients*perClient/2 {
				t.Fatalf("only %d of %d appends acknowledged", len(acked), clients*perClient)
			}
			cl := newClient(t, c, 100)
			for _, key := range keys {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				v, err := cl.Get(ctx, key)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]int{}
				for _, tok := range strings.SplitAfter(v, "]") {
					if tok != "" {
						seen[tok]++
					}
				}
				for tok, k := range acked {
					if k == key && seen[tok] != 1 {
						t.Errorf("key %s: acknowledged %s appears %d times", key, tok, seen[tok])
					}
				}
				for tok, n := range seen {
					if acked[tok] == key || (unknown[tok] == key && n == 1) {
						continue
					}
					t.Errorf("key %s: %s appears %d times, acked on %q, unknown on %q", key, tok, n, acked[tok], unknown[tok])
				}
			}
		})
	}
}

// TestKillRestart writes while killing the leader, restarts it from its
// data directory, then kills and restarts every member at once, and checks
// that every acknowledged write survived.
func TestKillRestart(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			seed := time.Now().UnixNano()
			rng := rand.New(rand.NewSource(seed))
			t.Logf("seed %d", seed)
			c := startCluster(t, mode, true)
			cl := newClient(t, c, 0)
			acked := map[string]string{}
			write := func(n int) {
				for range n {
					k := fmt.Sprintf("k%d", rng.Intn(20))
					v := fmt.Sprintf("v%d", rng.Int63())
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					if err := cl.Put(ctx, k, v); err == nil {
						acked[k] = v
					} else {
						delete(acked, k) // outcome unknown: the old value may or may not stand
					}
					cancel()
				}
			}
			write(20)
			leader := waitLeader(t, c)
			if err := c.Kill(context.Background(), leader); err != nil {
				t.Fatal(err)
			}
			waitLeader(t, c, leader)
			write(20)
			if err := c.Restart(context.Background(), leader); err != nil {
				t.Fatal(err)
			}
			write(10)
			for _, n := range c.Nodes() {
				if err := c.Kill(context.Background(), n); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range c.Nodes() {
				if err := c.Restart(context.Background(), n); err != nil {
					t.Fatal(err)
				}
			}
			waitLeader(t, c)
			if len(acked) == 0 {
				t.Fatal("no write was acknowledged")
			}
			for k, want := range acked {
				eventually(t, 30*time.Second, func(ctx context.Context) error {
					got, err := cl.Get(ctx, k)
					if err != nil {
						return err
					}
					if got != want {
						t.Fatalf("seed %d: Get(%s) = %q, want acknowledged %q", seed, k, got, want)
					}
					return nil
				})
			}
		})
	}
}

// TestPauseResume freezes the leader, waits for another to take over and
// serve a write, then thaws it and checks it catches up.
func TestPauseResume(t *testing.T) {
	c := startCluster(t, backend.ModeProcess, false)
	cl := newClient(t, c, 0)
	leader := waitLeader(t, c)
	if err := c.Pause(context.Background(), leader); err != nil {
		t.Fatal(err)
	}
	waitLeader(t, c, leader)
	eventually(t, 30*time.Second, func(ctx context.Context) error { return cl.Put(ctx, "p", "1") })
	if err := c.Resume(context.Background(), leader); err != nil {
		t.Fatal(err)
	}
	// Only the thawed member is asked, so the read proves it caught up.
	i, _ := c.Index(leader)
	eventually(t, 30*time.Second, func(ctx context.Context) error {
		r, err := c.admin.Status(ctx, c.Endpoints()[i])
		if err != nil {
			return err
		}
		if r.Leader == 0 {
			return fmt.Errorf("%s knows no leader", leader)
		}
		return nil
	})
	one, err := c.singleClient(i)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	eventually(t, 30*time.Second, func(ctx context.Context) error {
		v, err := one.Get(ctx, "p")
		if err != nil {
			return err
		}
		if v != "1" {
			return fmt.Errorf("Get(p) on %s = %q, want 1", leader, v)
		}
		return nil
	})
	inproc := startCluster(t, backend.ModeInProcess, false)
	if err := inproc.Pause(context.Background(), "n0"); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("in-process Pause = %v, want ErrUnsupported", err)
	}
}

// TestStopLeavesNoProcess checks that Stop ends every member process,
// including a paused one and after a kill and restart.
func TestStopLeavesNoProcess(t *testing.T) {
	c := startCluster(t, backend.ModeProcess, false)
	ctx := context.Background()
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := c.Pause(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	nodetest.StopLeavesNoProcess(t, c, 3)
}
