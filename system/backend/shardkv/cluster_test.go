package shardkv

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/internal/kvcheck"
	"faultline/internal/nodetest"
	"faultline/system/backend"
	skv "faultline/system/shardkv"
	"faultline/transport"
)

func startCluster(t *testing.T, mode backend.Mode, opts map[string]string) *Cluster {
	t.Helper()
	spec := backend.Spec{Nodes: 3, Mode: mode, Dir: t.TempDir(), Fsync: false, Options: opts}
	if mode == backend.ModeProcess {
		spec.Exec = selfExec(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bc, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return c
}

func TestOptionsRejected(t *testing.T) {
	for _, opts := range []map[string]string{{"groups": "0"}, {"groups": "x"}, {"shards": "3"}, {"groups": "2", "joined": "3"}} {
		spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir(), Options: opts}
		if _, err := (Backend{}).Start(context.Background(), spec); err == nil {
			t.Errorf("options %v accepted", opts)
		}
	}
}

// appendLoad runs clients that append unique tokens to a few keys until
// stop, recording what was acknowledged, and verifies every key at the end.
type appendLoad struct {
	c    *Cluster
	log  *kvcheck.Appends
	keys []string
	quit chan struct{}
	wg   sync.WaitGroup
	ops  sync.Map // client -> acknowledged count
}

func startAppends(t *testing.T, c *Cluster, clients int, seed uint64) *appendLoad {
	l := &appendLoad{c: c, log: kvcheck.NewAppends(), quit: make(chan struct{})}
	for s := range 10 {
		l.keys = append(l.keys, fmt.Sprintf("%c-key", '0'+s))
	}
	for cli := range clients {
		cl, err := c.Client(context.Background(), cli)
		if err != nil {
			t.Fatal(err)
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer cl.Close()
			rng := rand.New(rand.NewPCG(seed, uint64(cli)))
			acked := 0
			for j := 0; ; j++ {
				select {
				case <-l.quit:
					l.ops.Store(cli, acked)
					return
				default:
				}
				k := l.keys[rng.IntN(len(l.keys))]
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				err := cl.Append(ctx, k, kvcheck.Token(cli, j))
				cancel()
				l.log.Add(k, cli, j, err == nil)
				if err == nil {
					acked++
				}
			}
		}()
	}
	return l
}

// stop ends the load and checks every key: each acknowledged append present
// exactly once and in order.
func (l *appendLoad) stop(t *testing.T) {
	t.Helper()
	close(l.quit)
	l.wg.Wait()
	cl, err := l.c.Client(context.Background(), 99)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	total := 0
	l.ops.Range(func(_, v any) bool { total += v.(int); return true })
	if total == 0 {
		t.Fatal("no append was acknowledged")
	}
	for _, k := range l.log.Keys() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		v, err := cl.Get(ctx, k)
		cancel()
		if err != nil {
			t.Fatalf("final read of %q: %v", k, err)
		}
		l.log.Verify(t, k, v)
	}
	t.Logf("%d appends acknowledged", total)
}

func TestInProcessBasics(t *testing.T) {
	c := startCluster(t, backend.ModeInProcess, map[string]string{"groups": "2"})
	if got := len(c.Nodes()); got != 3+2*3 {
		t.Fatalf("%d nodes, want 9", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := c.Client(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if node := nodetest.GetPutAppend(ctx, t, cl, "a"); !strings.HasPrefix(node, "127.0.0.1:") {
		t.Fatalf("LastNode = %q", node)
	}
	// A deadline that has passed gives an error, not a guess.
	past, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel2()
	if _, err := cl.Get(past, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get with expired ctx: %v", err)
	}
	// Membership: a move lands in the configuration; a move to a missing
	// group is refused.
	cfg, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	target := cfg.Shards[0]%2 + 1
	if err := c.Move(ctx, 0, target); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := c.Config(ctx); cfg.Shards[0] != target {
		t.Fatalf("after move shard 0 on %d, want %d", cfg.Shards[0], target)
	}
	if err := c.Move(ctx, 0, 77); err == nil {
		t.Fatal("move to a missing group accepted")
	}
	if v, err := cl.Get(ctx, "a"); err != nil || v != "12" {
		t.Fatalf("Get after move = %q, %v", v, err)
	}
	if err := c.Pause(ctx, "c0"); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("in-process pause: %v", err)
	}
	// Node-to-node traffic is counted: Raft in every group, and moving the
	// shard of "a" makes its new group pull it from the old one (once the
	// groups see the new configuration).
	sa := skv.Key2Shard("a")
	cfg, err = c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Move(ctx, sa, cfg.Shards[sa]%2+1); err != nil {
		t.Fatal(err)
	}
	if v, err := cl.Get(ctx, "a"); err != nil || v != "12" {
		t.Fatalf("Get after moving its shard = %q, %v", v, err)
	}
	var st map[string]backend.RPCStat
	for st["ShardKV.Pull"].Calls == 0 && ctx.Err() == nil {
		if st, err = c.RPCStats(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, m := range []string{"Raft.AppendEntries", "ShardKV.Pull"} {
		if s := st[m]; s.Calls == 0 || s.Bytes < s.Calls*8 {
			t.Errorf("%s: %+v (all: %v)", m, s, st)
		}
	}
}

// TestProcessJoinLeaveUnderLoad starts the controllers and 3 replica groups
// as processes, runs appending clients while groups leave and join and a
// replica is SIGKILLed and restarted, and checks no acknowledged append is
// lost or duplicated.
func TestProcessJoinLeaveUnderLoad(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	c := startCluster(t, backend.ModeProcess, nil)
	load := startAppends(t, c, 4, seed)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	steps := []func() error{
		func() error { return c.Leave(ctx, []int{1}) },
		func() error { return c.Kill(ctx, "g2-0") },
		func() error { return c.Join(ctx, []int{1}) },
		func() error { return c.Restart(ctx, "g2-0") },
		func() error { return c.Leave(ctx, []int{3}) },
		func() error { return c.Join(ctx, []int{3}) },
	}
	for i, step := range steps {
		time.Sleep(400 * time.Millisecond) // let load run between changes
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	load.stop(t)
}

func TestProcessPauseAndStopLeavesNothing(t *testing.T) {
	c := startCluster(t, backend.ModeProcess, map[string]string{"groups": "1"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Pause(ctx, "g1-0"); err != nil {
		t.Fatal(err)
	}
	cl, _ := c.Client(ctx, 0)
	defer cl.Close()
	// Two of three replicas still serve.
	if err := cl.Put(ctx, "k", "v"); err != nil {
		t.Fatalf("put with one replica paused: %v", err)
	}
	if err := c.Resume(ctx, "g1-0"); err != nil {
		t.Fatal(err)
	}
	nodetest.StopLeavesNoProcess(t, c, 6)
}

// TestLinkFaultsTakeEffect cuts every link inside one replica group, so it
// has no majority: keys of its shards stop answering, the others keep
// serving, and healing brings it back.
func TestLinkFaultsTakeEffect(t *testing.T) {
	c := startCluster(t, backend.ModeProcess, map[string]string{"groups": "2"})
	ctx := context.Background()
	cfg, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A key of a shard on group 1 and one on group 2.
	key := map[int]string{}
	for s := range 10 {
		k := fmt.Sprintf("%c-probe", '0'+(s+2)%10)
		if _, ok := key[cfg.Shards[s]]; !ok {
			key[cfg.Shards[s]] = k
		}
	}
	cl, _ := c.Client(ctx, 0)
	defer cl.Close()
	members := []string{"g1-0", "g1-1", "g1-2"}
	for _, a := range members {
		for _, b := range members {
			if a != b {
				if err := c.Faults().SetLink(a, b, transport.LinkFaults{Blocked: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := cl.Put(short, key[2], "v2"); err != nil {
		t.Fatalf("group 2 stopped serving while group 1 is cut: %v", err)
	}
	// Group 1's leader may hold on to leadership for an election timeout;
	// a write needs a majority, which it cannot get.
	short2, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	if err := cl.Put(short2, key[1], "v1"); err == nil {
		t.Fatal("a write committed in a group with every internal link cut")
	}
	c.Faults().HealAll()
	healed, cancel3 := context.WithTimeout(ctx, 20*time.Second)
	defer cancel3()
	if err := cl.Put(healed, key[1], "v1"); err != nil {
		t.Fatalf("after healing: %v", err)
	}
	if v, err := cl.Get(healed, key[1]); err != nil || v != "v1" {
		t.Fatalf("Get after heal = %q, %v", v, err)
	}
}
