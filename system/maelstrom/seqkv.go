package maelstrom

import "math/rand/v2"

// seqWindow is how many of its latest states seq-kv may serve an op from.
const seqWindow = 32

// seqKV is seq-kv: a sequence of states, numbered from 0 (empty) to last,
// kept as each key's versions. An op that changes nothing runs on a
// random one of the last seqWindow states no older than the latest its
// client saw; an op that changes state runs on the latest and makes a new
// one. So all ops fit one total order that keeps each client's order.
type seqKV struct {
	rng      *rand.Rand
	last     int64                // the latest state's number
	versions map[string][]version // each key's values, oldest first
	seen     map[string]int64     // the latest state each client saw
}

// version is a key's value from state idx on.
type version struct {
	idx   int64
	value string
}

func newSeqKV(rng *rand.Rand) *seqKV {
	return &seqKV{rng: rng, versions: map[string][]version{}, seen: map[string]int64{}}
}

// at returns key's value in state idx.
func (s *seqKV) at(key string, idx int64) (string, bool) {
	vs := s.versions[key]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].idx <= idx {
			return vs[i].value, true
		}
	}
	return "", false
}

func (s *seqKV) do(src string, op *kvOp) any {
	lo := max(s.seen[src], s.last-seqWindow+1, 0)
	idx := lo + s.rng.Int64N(s.last-lo+1)
	cur, ok := s.at(op.key, idx)
	if res := op.apply(cur, ok); !res.changes(cur, ok) {
		s.seen[src] = idx
		return res.reply
	}
	cur, ok = s.at(op.key, s.last)
	res := op.apply(cur, ok)
	if res.changes(cur, ok) {
		s.last++
		s.put(op.key, res.value)
	}
	s.seen[src] = s.last
	return res.reply
}

// put makes value key's value from state s.last on, forgetting versions
// no state in the window can see.
func (s *seqKV) put(key, value string) {
	vs := append(s.versions[key], version{s.last, value})
	floor := s.last - seqWindow + 1
	drop := 0
	for drop+1 < len(vs) && vs[drop+1].idx <= floor {
		drop++
	}
	s.versions[key] = append(vs[:0], vs[drop:]...)
}
