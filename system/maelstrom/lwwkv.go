package maelstrom

import "math/rand/v2"

// lwwReplicas is how many replicas lww-kv simulates (doc/services.md).
const lwwReplicas = 5

// lwwKV is lww-kv: independent replicas, each answering on its own
// state. Before each request one random replica merges into another,
// keeping per key the newer write, so replicas converge once writes stop.
type lwwKV struct {
	rng  *rand.Rand
	reps []lwwReplica
}

// lwwReplica is one replica: a Lamport clock and its stamped values.
type lwwReplica struct {
	clock int64
	m     map[string]stamped
}

// stamped is a value with the write's stamp: the writing replica's clock
// and number, which order all writes.
type stamped struct {
	clock int64
	rep   int
	value string
}

func (a stamped) newer(b stamped) bool {
	return a.clock > b.clock || (a.clock == b.clock && a.rep > b.rep)
}

func newLWWKV(n int, rng *rand.Rand) *lwwKV {
	k := &lwwKV{rng: rng, reps: make([]lwwReplica, n)}
	for i := range k.reps {
		k.reps[i].m = map[string]stamped{}
	}
	return k
}

// merge folds replica src into dst.
func (k *lwwKV) merge(dst, src int) {
	d, s := &k.reps[dst], &k.reps[src]
	d.clock = max(d.clock, s.clock)
	for key, v := range s.m {
		if old, ok := d.m[key]; !ok || v.newer(old) {
			d.m[key] = v
		}
	}
}

func (k *lwwKV) do(_ string, op *kvOp) any {
	n := len(k.reps)
	if src, dst := k.rng.IntN(n), k.rng.IntN(n); src != dst {
		k.merge(dst, src)
	}
	i := k.rng.IntN(n)
	r := &k.reps[i]
	cur, ok := r.m[op.key]
	res := op.apply(cur.value, ok)
	if res.write {
		r.m[op.key] = stamped{clock: r.clock, rep: i, value: res.value}
		r.clock++
	}
	return res.reply
}
