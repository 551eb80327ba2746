package elle

import (
	"math/rand/v2"

	"faultline/workloads/history"
)

// genConfig shapes a simulated history.
type genConfig struct {
	txns      int
	procs     int
	keys      int // active keys at a time
	maxWrites int // appends per key before it is retired for a fresh one
	maxLen    int // micro-ops per transaction, 1..maxLen
	register  bool
}

// genSerial simulates a strictly serializable database: transactions
// execute one at a time in commit order, each commit point inside its
// transaction's [invoke, complete] interval, processes running one
// transaction at a time while intervals of different processes overlap.
// Reads of a list share the key's state (a prefix view), as they would
// after decoding.
func genSerial(seed uint64, cfg genConfig) *history.Txns {
	r := rand.New(rand.NewPCG(seed, 0x5e11))
	h := &history.Txns{Txns: make([]history.Txn, 0, cfg.txns)}
	state := [][]int64{}
	reg := []int64{}
	regSet := []bool{}
	writes := []int{}
	active := make([]int32, cfg.keys)
	newKey := func() int32 {
		k := int32(len(h.Keys))
		h.Keys = append(h.Keys, itoa(int(k)))
		state = append(state, nil)
		reg = append(reg, 0)
		regSet = append(regSet, false)
		writes = append(writes, 0)
		return k
	}
	for i := range active {
		active[i] = newKey()
	}
	prevDone := make([]int64, cfg.procs)
	const gap = 10
	jitter := int64(5 * cfg.procs)
	for i := 0; i < cfg.txns; i++ {
		p := i % cfg.procs
		commit := int64(i+1) * gap * 1
		commit *= 1
		inv := max(prevDone[p]+1, commit-1-r.Int64N(jitter))
		done := commit + 1 + r.Int64N(jitter)
		prevDone[p] = done
		n := 1 + r.IntN(cfg.maxLen)
		mops := make([]history.Mop, 0, n)
		for j := 0; j < n; j++ {
			slot := r.IntN(len(active))
			k := active[slot]
			if r.IntN(2) == 0 {
				m := history.Mop{Kind: history.MopRead, Key: k}
				if cfg.register {
					m.Value, m.Nil = reg[k], !regSet[k]
				} else {
					m.IsList, m.List = true, state[k][:len(state[k]):len(state[k])]
				}
				mops = append(mops, m)
				continue
			}
			writes[k]++
			v := int64(writes[k])
			if cfg.register {
				mops = append(mops, history.Mop{Kind: history.MopWrite, Key: k, Value: v})
				reg[k], regSet[k] = v, true
			} else {
				mops = append(mops, history.Mop{Kind: history.MopAppend, Key: k, Value: v})
				state[k] = append(state[k], v)
			}
			if writes[k] >= cfg.maxWrites {
				active[slot] = newKey()
			}
		}
		h.Txns = append(h.Txns, history.Txn{Process: p, Index: int64(i), Invoke: inv, Complete: done, Outcome: history.OK, Mops: mops})
	}
	return h
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
