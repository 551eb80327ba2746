package elle

import (
	"slices"
	"testing"

	"faultline/workloads/history"
)

// inject mutates a serial history to contain one anomaly and names the
// anomaly types the checker may report for it (any one suffices).
type inject struct {
	name string
	do   func(h *history.Txns) bool // false: no place to inject
	want []string
}

// lastRead returns the last ok list read with at least n elements.
func lastRead(h *history.Txns, n int) (*history.Txn, *history.Mop) {
	return findRead(h, func(_ int, m *history.Mop) bool { return len(m.List) >= n })
}

// findRead returns the last read (of transaction i) that ok accepts.
func findRead(h *history.Txns, ok func(i int, m *history.Mop) bool) (*history.Txn, *history.Mop) {
	for i := len(h.Txns) - 1; i >= 0; i-- {
		t := &h.Txns[i]
		for j := range t.Mops {
			if m := &t.Mops[j]; m.Kind == history.MopRead && ok(i, m) {
				return t, m
			}
		}
	}
	return nil, nil
}

// appender returns the transaction that appended v to k.
func appender(h *history.Txns, k int32, v int64) int {
	for i := range h.Txns {
		for _, o := range h.Txns[i].Mops {
			if o.Kind == history.MopAppend && o.Key == k && o.Value == v {
				return i
			}
		}
	}
	return -1
}

var injections = []inject{
	{"stale read", func(h *history.Txns) bool {
		// A read that a later, longer read of its key extends, so that the
		// version order keeps what it missed.
		longest := map[int32]int{}
		_, m := findRead(h, func(_ int, m *history.Mop) bool {
			n := longest[m.Key]
			longest[m.Key] = max(n, len(m.List))
			return len(m.List) >= 3 && n > len(m.List)
		})
		if m == nil {
			return false
		}
		m.List = m.List[:1] // missed appends that completed long before
		return true
	}, []string{"G-single-item-realtime", "G-single-item", "G2-item", "G2-item-realtime", "G-nonadjacent-item", "G-nonadjacent-item-realtime"}},
	{"aborted read", func(h *history.Txns) bool {
		// The appender of a read's last element failed after all.
		w := -1
		_, m := findRead(h, func(i int, m *history.Mop) bool {
			if len(m.List) == 0 {
				return false
			}
			w = appender(h, m.Key, m.List[len(m.List)-1])
			return w >= 0 && w != i
		})
		if m == nil {
			return false
		}
		h.Txns[w].Outcome = history.Fail
		return true
	}, []string{"G1a"}},
	{"duplicated element", func(h *history.Txns) bool {
		_, m := lastRead(h, 2)
		if m == nil {
			return false
		}
		m.List = append(slices.Clone(m.List), m.List[0])
		return true
	}, []string{"duplicate-elements"}},
	{"reordered elements", func(h *history.Txns) bool {
		_, m := lastRead(h, 2)
		if m == nil {
			return false
		}
		l := slices.Clone(m.List)
		l[0], l[1] = l[1], l[0]
		m.List = l
		return true
	}, []string{"incompatible-order"}},
	{"unwritten element", func(h *history.Txns) bool {
		_, m := lastRead(h, 1)
		if m == nil {
			return false
		}
		m.List = append(slices.Clone(m.List), -7)
		return true
	}, []string{"never-written"}},
}

// TestInjectedAnomalies: a serial history with one anomaly injected is
// invalid, and the anomaly is named.
func TestInjectedAnomalies(t *testing.T) {
	for _, inj := range injections {
		for seed := uint64(1); seed <= 3; seed++ {
			h := genSerial(seed, genConfig{txns: 3000, procs: 5, keys: 4, maxWrites: 12, maxLen: 4})
			if !inj.do(h) {
				t.Fatalf("%s: nowhere to inject", inj.name)
			}
			res := Check(h, Options{})
			if res.Verdict != Invalid || !slices.ContainsFunc(res.AnomalyTypes, func(a string) bool { return slices.Contains(inj.want, a) }) {
				t.Errorf("%s (seed %d): %s", inj.name, seed, res.Summary())
			}
		}
	}
}
