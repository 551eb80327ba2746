package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"faultline/system/backend"
	"faultline/system/backend/raftkv"
	"faultline/system/maelstrom"
	"faultline/transport"
)

// Values of the option lin-kv: what keeps the lin-kv service's state.
const (
	// LinKVMemory is the router's own lin-kv service: one map (the default).
	LinKVMemory = "memory"
	// LinKVRaftKV is a raftkv cluster of Faultline's own, run in process:
	// replica i shares the fate of node n(i) (see linKV).
	LinKVRaftKV = "raftkv"
)

// linKVClients is how many raftkv clerks serve the lin-kv service's ops
// at once (maelstrom.StoreConfig.InFlight).
const linKVClients = 32

// casClient is a backend client that also compares and sets (raftkv's).
type casClient interface {
	backend.Client
	CAS(ctx context.Context, key, from, to string, create bool) (prev string, existed bool, err error)
}

// linKV is the lin-kv service backed by a raftkv cluster. Replica i of
// the cluster, named n(i) as the Maelstrom node, shares that node's fate,
// as a database replica on the node's machine would: a kill of n(i)
// kills the replica too and a restart restarts both, and a link fault
// between two nodes applies to their replicas' Raft traffic as well. So
// the chaos schedule reaches the cluster's own kill and partition powers
// with the same node names. Pause freezes the node process only (the
// replicas run in the harness's process).
type linKV struct {
	cluster backend.Cluster
	killer  backend.Killer
	faults  transport.LinkFaulter
	svc     *maelstrom.StoreService
	clients chan casClient

	mu   sync.Mutex
	down map[string]bool // replicas killed and not yet restarted
}

// startLinKV starts a raftkv cluster of cfg.LinKVNodes replicas in
// DIR/lin-kv and the lin-kv service on it, answering through net.
func startLinKV(ctx context.Context, cfg Config, net maelstrom.Sender) (*linKV, error) {
	spec := backend.Spec{Nodes: cfg.LinKVNodes, Mode: backend.ModeInProcess, Dir: filepath.Join(cfg.Dir, "lin-kv"),
		Seed: cfg.Network.Seed, Logger: cfg.Logger}
	c, err := raftkv.Backend{}.Start(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("maelstrom: lin-kv on raftkv: %w", err)
	}
	kv := &linKV{cluster: c, clients: make(chan casClient, linKVClients), down: map[string]bool{}}
	kv.killer, _ = c.(backend.Killer)
	if fs, ok := c.(interface{ Faults() transport.LinkFaulter }); ok {
		kv.faults = fs.Faults()
	}
	for i := range linKVClients {
		cl, err := c.Client(ctx, i)
		if err == nil {
			if cc, ok := cl.(casClient); ok {
				kv.clients <- cc
			} else {
				err = fmt.Errorf("its client %T cannot compare-and-set", cl)
			}
		}
		if err != nil {
			return nil, errors.Join(fmt.Errorf("maelstrom: lin-kv on raftkv: %w", err), c.Stop(ctx))
		}
	}
	if kv.killer == nil || kv.faults == nil {
		return nil, errors.Join(errors.New("maelstrom: lin-kv on raftkv: its cluster cannot kill or fault links"), c.Stop(ctx))
	}
	kv.svc = maelstrom.NewStoreService(maelstrom.LinKV, net, kv, maelstrom.StoreConfig{InFlight: linKVClients})
	return kv, nil
}

// has reports whether node has a replica.
func (kv *linKV) has(node string) bool { return slices.Contains(kv.cluster.Nodes(), node) }

// kill kills node's replica, if it has one.
func (kv *linKV) kill(ctx context.Context, node string) error {
	if !kv.has(node) {
		return nil
	}
	kv.mu.Lock()
	kv.down[node] = true
	kv.mu.Unlock()
	return kv.killer.Kill(ctx, node)
}

// restart restarts node's replica, if it has one; it comes back with the
// faults of its links.
func (kv *linKV) restart(ctx context.Context, node string) error {
	if !kv.has(node) {
		return nil
	}
	err := kv.killer.Restart(ctx, node)
	if err == nil {
		kv.mu.Lock()
		delete(kv.down, node)
		kv.mu.Unlock()
	}
	return err
}

// with runs f with a clerk of the pool; waiting for one that never comes
// did nothing, so it is a definite failure.
func (kv *linKV) with(ctx context.Context, f func(casClient) error) error {
	select {
	case c := <-kv.clients:
		defer func() { kv.clients <- c }()
		return storeErr(f(c))
	case <-ctx.Done():
		return &maelstrom.RPCError{Code: maelstrom.CodeTemporarilyUnavailable, Text: "no raftkv clerk free: " + ctx.Err().Error()}
	}
}

// storeErr gives a definite failure (backend.ErrDefinite) code 11; any
// other error stays an unknown outcome.
func storeErr(err error) error {
	if err != nil && errors.Is(err, backend.ErrDefinite) {
		return &maelstrom.RPCError{Code: maelstrom.CodeTemporarilyUnavailable, Text: err.Error()}
	}
	return err
}

// Get implements maelstrom.Store: raftkv reads a key with no value as "".
func (kv *linKV) Get(ctx context.Context, key string) (v string, err error) {
	err = kv.with(ctx, func(c casClient) (err error) {
		v, err = c.Get(ctx, key)
		return err
	})
	return v, err
}

// Put implements maelstrom.Store.
func (kv *linKV) Put(ctx context.Context, key, value string) error {
	return kv.with(ctx, func(c casClient) error { return c.Put(ctx, key, value) })
}

// CAS implements maelstrom.Store: raftkv's compare-and-set, applied
// atomically by its state machine.
func (kv *linKV) CAS(ctx context.Context, key, from, to string, create bool) (prev string, existed bool, err error) {
	err = kv.with(ctx, func(c casClient) (err error) {
		prev, existed, err = c.CAS(ctx, key, from, to, create)
		return err
	})
	return prev, existed, err
}

// linkFaults is the cluster's link fault table with lin-kv on raftkv: a
// fault on a link between two nodes goes to the router and, when both
// have replicas, to the replicas' link too. A replica that is down gets
// the fault when it restarts, so its failure to take it now is no error.
type linkFaults struct {
	net *maelstrom.Router
	kv  *linKV
}

var _ transport.LinkFaulter = linkFaults{}

// SetLink implements transport.LinkFaulter.
func (l linkFaults) SetLink(from, to string, f transport.LinkFaults) error {
	err := l.net.Faults().SetLink(from, to, f)
	if !l.kv.has(from) || !l.kv.has(to) {
		return err
	}
	kerr := l.kv.faults.SetLink(from, to, f)
	l.kv.mu.Lock()
	down := l.kv.down[from] || l.kv.down[to]
	l.kv.mu.Unlock()
	if kerr != nil && !down {
		err = errors.Join(err, fmt.Errorf("lin-kv replicas: %w", kerr))
	}
	return err
}

// Link implements transport.LinkFaulter: the router's faults of the link.
func (l linkFaults) Link(from, to string) transport.LinkFaults { return l.net.Faults().Link(from, to) }

// HealAll implements transport.LinkFaulter.
func (l linkFaults) HealAll() {
	l.net.Faults().HealAll()
	l.kv.faults.HealAll()
}

// SupportsLink implements transport.FaultSupport: the router's (raftkv's
// transports apply every link fault).
func (l linkFaults) SupportsLink(f transport.LinkFaults) error { return l.net.SupportsLink(f) }
