package kvraft

import (
	"context"
	"errors"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/internal/kvcheck"
	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// fullSize switches the heaviest scenarios to the course's full sizes (7
// servers, 15 clients, 5 s per iteration). Default runs are smaller so the
// whole package stays within a few minutes under -race.
var fullSize = os.Getenv("KVRAFT_FULL") != ""

// electionPace is how long a partition or crash is held before the next
// change: long enough for an election to finish.
const electionPace = 400 * time.Millisecond

// tclerk records every operation of a Clerk into a history.
type tclerk struct {
	ck   *Clerk
	id   int
	rec  *kvcheck.Recorder
	apps *kvcheck.Appends
}

var nextClientID atomic.Int64

func (c *cluster) recordedClerk(rec *kvcheck.Recorder, apps *kvcheck.Appends, to []int) *tclerk {
	return &tclerk{ck: c.makeClerk(to), id: int(nextClientID.Add(1)), rec: rec, apps: apps}
}

func (tc *tclerk) get(key string) string {
	call := tc.rec.Now()
	v := tc.ck.Get(key)
	tc.rec.Add(tc.id, checker.Input{Kind: history.Get, Key: key}, v, call, tc.rec.Now())
	return v
}

func (tc *tclerk) put(key, value string) {
	call := tc.rec.Now()
	tc.ck.Put(key, value)
	tc.rec.Add(tc.id, checker.Input{Kind: history.Put, Key: key, Value: value}, "", call, tc.rec.Now())
}

// appendJ appends this clerk's j-th token to key and returns the token.
func (tc *tclerk) appendJ(key string, j int) string {
	tok := kvcheck.Token(tc.id, j)
	call := tc.rec.Now()
	tc.ck.Append(key, tok)
	tc.rec.Add(tc.id, checker.Input{Kind: history.Append, Key: key, Value: tok}, "", call, tc.rec.Now())
	tc.apps.Add(key, tc.id, j, true)
	return tok
}

// genericOpts are the knobs of the lab's generic test.
type genericOpts struct {
	clients, servers int
	unreliable       bool
	crash            bool
	partitions       bool
	randomKeys       bool
	maxraftstate     int
	iters            int
	dur              time.Duration
}

func (o genericOpts) withDefaults() genericOpts {
	if o.iters == 0 {
		o.iters = 3
	}
	if o.dur == 0 {
		o.dur = 1500 * time.Millisecond
		if fullSize {
			o.dur = 5 * time.Second
		}
	}
	if o.maxraftstate == 0 {
		o.maxraftstate = -1
	}
	return o
}

// genericTest runs o.iters rounds of concurrent clients under the chosen
// faults, then checks each client's key, every append, the Raft state and
// snapshot bounds, and the linearizability of the whole history.
func genericTest(t *testing.T, o genericOpts) {
	o = o.withDefaults()
	c := newCluster(t, o.servers, o.unreliable, o.maxraftstate)
	rec, apps := kvcheck.NewRecorder(), kvcheck.NewAppends()
	ck := c.recordedClerk(rec, apps, c.All())

	for iter := range o.iters {
		var done, donePart atomic.Bool
		var wg sync.WaitGroup
		lasts := make([]string, o.clients)
		keys := make([]string, o.clients)
		for cli := range o.clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewSource(c.net.Seed + int64(iter*1000+cli)))
				my := c.recordedClerk(rec, apps, c.All())
				key := strconv.Itoa(cli)
				last := ""
				if !o.randomKeys {
					apps.Reset(key)
					my.put(key, last)
				}
				for j := 0; !done.Load(); {
					if o.randomKeys {
						key = strconv.Itoa(rng.Intn(o.clients))
					}
					if rng.Intn(1000) < 500 {
						last += my.appendJ(key, j)
						j++
						continue
					}
					v := my.get(key)
					if !o.randomKeys && v != last {
						t.Errorf("client %d: get(%q) = %q, want %q", cli, key, v, last)
						return
					}
				}
				lasts[cli], keys[cli] = last, key
			}()
		}
		var pwg sync.WaitGroup
		if o.partitions {
			pwg.Add(1)
			go func() {
				defer pwg.Done()
				rng := rand.New(rand.NewSource(c.net.Seed - int64(iter)))
				for !donePart.Load() {
					var a, b []int
					for i := range o.servers {
						if rng.Intn(2) == 0 {
							a = append(a, i)
						} else {
							b = append(b, i)
						}
					}
					c.Partition(a, b)
					time.Sleep(electionPace + time.Duration(rng.Intn(200))*time.Millisecond) // pacing
				}
			}()
		}
		time.Sleep(o.dur) // let the workload run
		donePart.Store(true)
		pwg.Wait()
		c.ConnectAll()
		if o.crash {
			for i := range o.servers {
				c.ShutdownServer(i)
			}
			for i := range o.servers {
				c.StartServer(i)
			}
			c.ConnectAll()
		}
		done.Store(true)
		wg.Wait()
		if t.Failed() {
			return
		}
		if !o.randomKeys {
			for cli := range o.clients {
				v := ck.get(keys[cli])
				if v != lasts[cli] {
					t.Fatalf("iteration %d: key %q = %q, want %q", iter, keys[cli], v, lasts[cli])
				}
				apps.Verify(t, keys[cli], v)
			}
		}
		if o.maxraftstate > 0 {
			if sz, _ := c.MaxSizes(); sz > 8*o.maxraftstate {
				t.Fatalf("raft state size %d exceeds 8x maxraftstate %d", sz, o.maxraftstate)
			}
		} else if _, sz := c.MaxSizes(); sz > 0 {
			t.Fatalf("snapshot of %d bytes with maxraftstate %d", sz, o.maxraftstate)
		}
	}
	if o.randomKeys {
		for _, k := range apps.Keys() {
			apps.Verify(t, k, ck.get(k))
		}
	}
	rec.Check(t, 30*time.Second)
}

func TestBasic3A(t *testing.T) { genericTest(t, genericOpts{clients: 1, servers: 5}) }

func TestConcurrent3A(t *testing.T) { genericTest(t, genericOpts{clients: 5, servers: 5}) }

func TestUnreliable3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, unreliable: true})
}

func TestManyPartitionsOneClient3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 1, servers: 5, partitions: true})
}

func TestManyPartitionsManyClients3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, partitions: true})
}

func TestPersistOneClient3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 1, servers: 5, crash: true})
}

func TestPersistConcurrent3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, crash: true})
}

func TestPersistConcurrentUnreliable3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, unreliable: true, crash: true})
}

func TestPersistPartition3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, crash: true, partitions: true})
}

func TestPersistPartitionUnreliable3A(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, unreliable: true, crash: true, partitions: true})
}

// bigOpts is the 7-server linearizability variant: 15 clients in full size,
// 7 by default.
func bigOpts(o genericOpts) genericOpts {
	o.servers, o.clients = 7, 7
	if fullSize {
		o.clients = 15
	}
	o.unreliable, o.crash, o.partitions, o.randomKeys = true, true, true, true
	return o
}

func TestPersistPartitionUnreliableLinearizable3A(t *testing.T) {
	genericTest(t, bigOpts(genericOpts{}))
}

func TestSnapshotRecover3B(t *testing.T) {
	genericTest(t, genericOpts{clients: 1, servers: 5, crash: true, maxraftstate: 1000})
}

func TestSnapshotRecoverManyClients3B(t *testing.T) {
	genericTest(t, genericOpts{clients: 20, servers: 5, crash: true, maxraftstate: 1000})
}

func TestSnapshotUnreliable3B(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, unreliable: true, maxraftstate: 1000})
}

func TestSnapshotUnreliableRecover3B(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, unreliable: true, crash: true, maxraftstate: 1000})
}

func TestSnapshotUnreliableRecoverConcurrentPartition3B(t *testing.T) {
	genericTest(t, genericOpts{clients: 5, servers: 5, unreliable: true, crash: true, partitions: true, maxraftstate: 1000})
}

func TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable3B(t *testing.T) {
	genericTest(t, bigOpts(genericOpts{maxraftstate: 1000}))
}

// TestClientDeadlinesPartitions drives context-aware clients with short
// deadlines through partitions: timed-out writes enter the history as
// unknown, and the checks must still hold (an unknown append at most once).
func TestClientDeadlinesPartitions(t *testing.T) {
	const clients, servers, nkeys = 4, 5, 3
	c := newCluster(t, servers, true, 1000)
	rec, apps := kvcheck.NewRecorder(), kvcheck.NewAppends()
	var done atomic.Bool
	var unknown, definite atomic.Int64
	var wg sync.WaitGroup
	for cli := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(c.net.Seed + int64(cli)))
			cl := c.makeClient()
			id := int(nextClientID.Add(1))
			for j := 0; !done.Load(); j++ {
				key := strconv.Itoa(rng.Intn(nkeys))
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				call := rec.Now()
				if rng.Intn(2) == 0 {
					tok := kvcheck.Token(id, j)
					err := cl.Append(ctx, key, tok)
					ret := rec.Now()
					switch {
					case err == nil:
						apps.Add(key, id, j, true)
						rec.Add(id, checker.Input{Kind: history.Append, Key: key, Value: tok}, "", call, ret)
					case errors.Is(err, ErrNotApplied):
						definite.Add(1)
					default:
						unknown.Add(1)
						apps.Add(key, id, j, false)
						rec.Add(id, checker.Input{Kind: history.Append, Key: key, Value: tok, Unknown: true}, "", call, ret)
					}
				} else {
					v, err := cl.Get(ctx, key)
					if err == nil {
						rec.Add(id, checker.Input{Kind: history.Get, Key: key}, v, call, rec.Now())
					} else if !errors.Is(err, ErrNotApplied) {
						t.Errorf("failed get: %v does not wrap ErrNotApplied", err)
					}
				}
				cancel()
			}
		}()
	}
	for range 5 {
		c.Partition(c.MinorityPartition())
		time.Sleep(electionPace) // pacing
	}
	c.ConnectAll()
	time.Sleep(electionPace) // some operations in a healed cluster
	done.Store(true)
	wg.Wait()
	t.Logf("unknown writes %d, definite failures %d", unknown.Load(), definite.Load())
	ck := c.recordedClerk(rec, apps, c.All())
	for _, k := range apps.Keys() {
		apps.Verify(t, k, ck.get(k))
	}
	rec.Check(t, 30*time.Second)
}
