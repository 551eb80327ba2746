package elle

// valIndex maps (key, value) to what is known of the value. Jepsen's
// generators append small per-key counters (1, 2, 3, ...), so each key whose
// values are dense enough gets a slice indexed by value - base; any other
// key falls back to a map. Lookups in the hot loops are then array reads.
type valIndex struct {
	base  []int64      // per key: smallest value
	dense [][]appended // per key: by value - base; nil for a sparse key
	found [][]bool     // per key: which dense slots are set
	other map[kv]appended
}

// newValIndex sizes the index from the values appended per key: lo and hi
// are the smallest and largest, n the count.
func newValIndex(lo, hi []int64, n []int) *valIndex {
	ix := &valIndex{base: lo, dense: make([][]appended, len(lo)), found: make([][]bool, len(lo)), other: map[kv]appended{}}
	for k := range lo {
		if n[k] == 0 {
			continue
		}
		span := hi[k] - lo[k] + 1
		if span > 0 && span <= 4*int64(n[k])+64 {
			ix.dense[k] = make([]appended, span)
			ix.found[k] = make([]bool, span)
		}
	}
	return ix
}

func (ix *valIndex) get(key kv) (appended, bool) {
	if d := ix.dense[key.k]; d != nil {
		i := key.v - ix.base[key.k]
		if i >= 0 && i < int64(len(d)) {
			return d[i], ix.found[key.k][i]
		}
		return appended{}, false
	}
	a, ok := ix.other[key]
	return a, ok
}

func (ix *valIndex) set(key kv, a appended) {
	if d := ix.dense[key.k]; d != nil {
		i := key.v - ix.base[key.k]
		if i >= 0 && i < int64(len(d)) {
			d[i], ix.found[key.k][i] = a, true
			return
		}
	}
	ix.other[key] = a
}

// at returns what is known of a value, the zero appended when nothing is.
func (ix *valIndex) at(key kv) appended {
	a, _ := ix.get(key)
	return a
}
