package maelstrom

import (
	"math/rand/v2"
	"sync"
)

// keyChooser picks the keys of one client's requests in lin-kv and the
// transactional workloads: a request draws each key as a slot among the
// n keys in play (slot), then names it by whether it writes it (key).
// Without a write bound the client moves to a fresh set of n keys every
// per requests of its own; with one (Options.MaxWritesPerKey) the slots
// are shared by every client of the workload, and a key that took the
// bound's writes is retired for a fresh one at its next write.
type keyChooser struct {
	n, per    int64 // keys in play; requests per key set (rotation)
	seq, base int64 // the client's requests so far; its key set's first key
	pool      *writePool
}

// newKeyChooser returns a client's chooser under o: pool is the
// workload's shared write bound, nil without one.
func newKeyChooser(o Options, pool *writePool) *keyChooser {
	return &keyChooser{n: int64(orDefault(o.KeyCount, 3)), per: int64(orDefault(o.OpsPerKey, 40)), pool: pool}
}

// next starts a request: the rotation counts it.
func (c *keyChooser) next() {
	c.base = (c.seq / c.per) * c.n
	c.seq++
}

// slot draws one of the n keys in play.
func (c *keyChooser) slot(r *rand.Rand) int64 { return r.Int64N(c.n) }

// key names the key in slot for a micro-op that writes it or not.
func (c *keyChooser) key(slot int64, write bool) int64 {
	if c.pool != nil {
		return c.pool.key(slot, write)
	}
	return c.base + slot
}

// writePool is the keys in play shared by a workload's clients under a
// write bound (Maelstrom's --max-writes-per-key): each slot's key takes at
// most max writes, over all clients; the write after them goes to a fresh
// key, never used before, which takes the slot. It is safe for
// concurrent use.
type writePool struct {
	max int

	mu     sync.Mutex
	keys   []int64 // each slot's key
	writes []int   // writes each slot's key took
	fresh  int64   // the next key never used
}

// newWritePool returns the pool of o's workload, or nil when o sets no
// write bound.
func newWritePool(o Options) *writePool {
	if o.MaxWritesPerKey <= 0 {
		return nil
	}
	n := orDefault(o.KeyCount, 3)
	p := &writePool{max: o.MaxWritesPerKey, keys: make([]int64, n), writes: make([]int, n), fresh: int64(n)}
	for i := range p.keys {
		p.keys[i] = int64(i)
	}
	return p
}

// key returns slot's key, counting a write against it; a key that took
// max writes already is retired first.
func (p *writePool) key(slot int64, write bool) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if write {
		if p.writes[slot] >= p.max {
			p.keys[slot], p.writes[slot] = p.fresh, 0
			p.fresh++
		}
		p.writes[slot]++
	}
	return p.keys[slot]
}
