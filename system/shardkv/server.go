package shardkv

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"faultline/system/raft"
	"faultline/system/rsm"
	"faultline/system/shardctrler"
)

// Timings of the background work; the controller is polled about every
// 100 ms, as the course asks.
const (
	pollInterval     = 100 * time.Millisecond
	migrateInterval  = 50 * time.Millisecond
	migrateCallLimit = 2 * time.Second
)

// ShardKV is one replica of a replica group. Its RPC methods (service
// "ShardKV") are Get, PutAppend, Pull and Delete.
type ShardKV struct {
	me      int
	gid     int
	makeEnd func(string) raft.Peer
	ctrl    *shardctrler.Clerk
	rsm     *rsm.RSM

	ctx    context.Context // ended by Kill
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.Mutex
	st   *State               // guarded by mu
	ends map[string]raft.Peer // makeEnd cache; guarded by mu
}

// StartServer starts replica me of group gid, whose Raft peers are servers.
// ctrlers reach the shard controller; makeEnd turns a server name from a
// configuration into a peer. maxraftstate is the Raft state size at which
// the replica snapshots (-1: never). The caller registers the returned
// server (service "ShardKV") and its Raft() peer (service "Raft").
func StartServer(servers []raft.Peer, me int, persister raft.Persister, maxraftstate int, gid int,
	ctrlers []raft.Peer, makeEnd func(string) raft.Peer) *ShardKV {
	kv := &ShardKV{
		me:      me,
		gid:     gid,
		makeEnd: makeEnd,
		ctrl:    shardctrler.MakeClerk(ctrlers),
		st:      NewState(gid),
		ends:    map[string]raft.Peer{},
	}
	kv.ctx, kv.cancel = context.WithCancel(context.Background())
	sm := &rsm.WireState[State]{Mu: &kv.mu, State: &kv.st, Step: step,
		Check: func(st *State) error { st.normalize(); return nil }}
	kv.rsm = rsm.New(servers, me, persister, sm, rsm.Config{MaxRaftState: maxraftstate})
	kv.wg.Add(3)
	go kv.loop(pollInterval, kv.pollConfig)
	go kv.loop(migrateInterval, kv.pullShards)
	go kv.loop(migrateInterval, kv.deleteHanded)
	return kv
}

// Raft returns the replica's Raft peer.
func (kv *ShardKV) Raft() *raft.Raft { return kv.rsm.Raft() }

// Kill stops the replica and its background work.
func (kv *ShardKV) Kill() {
	kv.cancel()
	kv.rsm.Kill()
	kv.wg.Wait()
}

// Get is the RPC handler for reads.
func (kv *ShardKV) Get(args *GetArgs, reply *GetReply) {
	r := kv.submitClient(Op{Kind: OpGet, Key: args.Key, ClientID: args.ClientID, Seq: args.Seq})
	reply.Err, reply.Value = r.Err, r.Value
}

// PutAppend is the RPC handler for writes.
func (kv *ShardKV) PutAppend(args *PutAppendArgs, reply *PutAppendReply) {
	kind := OpPut
	if args.Op == "Append" {
		kind = OpAppend
	}
	reply.Err = kv.submitClient(Op{Kind: kind, Key: args.Key, Value: args.Value, ClientID: args.ClientID, Seq: args.Seq}).Err
}

// Pull is the RPC handler by which a new owner fetches shards this group
// held before configuration args.ConfigNum. Frozen data never changes, so
// any replica at that configuration may answer.
func (kv *ShardKV) Pull(args *PullArgs, reply *PullReply) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	reply.Shards, reply.Err = kv.st.pullable(args.ConfigNum, args.Shards)
}

// Delete is the RPC handler by which a new owner says it installed shards
// handed over in configuration args.ConfigNum; the deletion goes through the
// log.
func (kv *ShardKV) Delete(args *DeleteArgs, reply *DeleteReply) {
	reply.Err = kv.submit(Op{Kind: OpDelete, ConfigNum: args.ConfigNum, Shards: args.Shards}).Err
}

func (kv *ShardKV) submitClient(op Op) result {
	kv.mu.Lock()
	owned := kv.st.owns(key2shard(op.Key))
	kv.mu.Unlock()
	if !owned {
		return result{Err: ErrWrongGroup}
	}
	return kv.submit(op)
}

func (kv *ShardKV) submit(op Op) result {
	v, err := kv.rsm.Submit(op)
	switch {
	case err == nil:
		return v.(result)
	case errors.Is(err, rsm.ErrTimeout):
		return result{Err: ErrTimeout}
	default:
		return result{Err: ErrWrongLeader}
	}
}

// loop runs f every interval while this replica leads, until Kill.
func (kv *ShardKV) loop(interval time.Duration, f func()) {
	defer kv.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-kv.ctx.Done():
			return
		case <-t.C:
		}
		if _, isLeader := kv.Raft().GetState(); isLeader {
			f()
		}
	}
}

// pollConfig proposes the next configuration once the current one has
// settled.
func (kv *ShardKV) pollConfig() {
	kv.mu.Lock()
	settled, num := kv.st.settled(), kv.st.Config.Num
	kv.mu.Unlock()
	if !settled {
		return
	}
	ctx, cancel := context.WithTimeout(kv.ctx, migrateCallLimit)
	defer cancel()
	cfg, err := kv.ctrl.QueryContext(ctx, num+1)
	if err != nil || cfg.Num != num+1 {
		return
	}
	kv.submit(Op{Kind: OpConfig, Config: cfg})
}

// byPrevOwner groups the shards in status st by the group that held them
// in the previous configuration.
func (kv *ShardKV) byPrevOwner(st ShardStatus) (num int, prev shardctrler.Config, groups map[int][]int) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	groups = map[int][]int{}
	for _, i := range kv.st.ShardsIn(st) {
		gid := kv.st.Prev.Shards[i]
		groups[gid] = append(groups[gid], i)
	}
	return kv.st.Config.Num, kv.st.Prev, groups
}

// pullShards fetches every pulling shard from its previous owner and
// installs it, one previous owner at a time in parallel.
func (kv *ShardKV) pullShards() {
	num, prev, groups := kv.byPrevOwner(Pulling)
	kv.eachGroup(groups, func(gid int, shards []int) {
		var data map[int]*ShardData
		ok := kv.callGroup(prev.Groups[gid], func(end raft.Peer) bool {
			var reply PullReply
			if end.Call("ShardKV.Pull", &PullArgs{ConfigNum: num, Shards: shards}, &reply) && reply.Err == OK {
				data = reply.Shards
				return true
			}
			return false
		})
		if ok {
			kv.submit(Op{Kind: OpInstall, ConfigNum: num, Data: data})
		}
	})
}

// deleteHanded tells previous owners to delete shards that were installed
// here, then ends the handover.
func (kv *ShardKV) deleteHanded() {
	num, prev, groups := kv.byPrevOwner(Handed)
	kv.eachGroup(groups, func(gid int, shards []int) {
		ok := kv.callGroup(prev.Groups[gid], func(end raft.Peer) bool {
			var reply DeleteReply
			return end.Call("ShardKV.Delete", &DeleteArgs{ConfigNum: num, Shards: shards}, &reply) && reply.Err == OK
		})
		if ok {
			kv.submit(Op{Kind: OpForget, ConfigNum: num, Shards: shards})
		}
	})
}

func (kv *ShardKV) eachGroup(groups map[int][]int, f func(gid int, shards []int)) {
	var wg sync.WaitGroup
	for _, gid := range slices.Sorted(maps.Keys(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(gid, groups[gid])
		}()
	}
	wg.Wait()
}

// callGroup tries the servers of a group in turn until try succeeds with
// one, for at most migrateCallLimit. It reports whether one did.
func (kv *ShardKV) callGroup(servers []string, try func(end raft.Peer) bool) bool {
	deadline := time.Now().Add(migrateCallLimit)
	for _, name := range servers {
		if kv.ctx.Err() != nil || time.Now().After(deadline) {
			return false
		}
		if try(kv.end(name)) {
			return true
		}
	}
	return false
}

func (kv *ShardKV) end(name string) raft.Peer {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	e, ok := kv.ends[name]
	if !ok {
		e = kv.makeEnd(name)
		kv.ends[name] = e
	}
	return e
}

// step applies one committed command to the group's state.
func step(st *State, cmd any) (any, error) {
	op, err := rsm.Command[Op](cmd)
	if err != nil {
		return nil, err
	}
	return st.Apply(op), nil
}
