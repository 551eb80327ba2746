package elle

import (
	"math/rand/v2"

	"faultline/workloads/gen"
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

// genSerial simulates a strictly serializable database running
// gen.TxnGen's transactions: they execute one at a time in commit order,
// each commit point inside its transaction's [invoke, complete] interval,
// processes running one transaction at a time while intervals of
// different processes overlap. Reads of a list share the key's state (a
// prefix view), as they would after decoding.
func genSerial(seed uint64, cfg genConfig) *history.Txns {
	write := history.MopAppend
	if cfg.register {
		write = history.MopWrite
	}
	g, err := gen.NewTxnGen(gen.TxnConfig{Write: write, KeyCount: cfg.keys, MinTxnLength: 1, MaxTxnLength: cfg.maxLen,
		MaxWritesPerKey: cfg.maxWrites}, int64(seed))
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(seed, 0x5e11))
	h := &history.Txns{Txns: make([]history.Txn, 0, cfg.txns)}
	var lists [][]int64
	var reg []int64
	var regSet []bool
	grow := func(k int32) {
		for int(k) >= len(lists) {
			lists = append(lists, nil)
			reg = append(reg, 0)
			regSet = append(regSet, false)
		}
	}
	prevDone := make([]int64, cfg.procs)
	const gap = 10
	jitter := int64(5 * cfg.procs)
	for i := 0; i < cfg.txns; i++ {
		p := i % cfg.procs
		commit := int64(i+1) * gap
		inv := max(prevDone[p]+1, commit-1-r.Int64N(jitter))
		done := commit + 1 + r.Int64N(jitter)
		prevDone[p] = done
		mops := g.Next()
		for j := range mops {
			m := &mops[j]
			grow(m.Key)
			switch m.Kind {
			case history.MopRead:
				if cfg.register {
					m.Value, m.Nil = reg[m.Key], !regSet[m.Key]
				} else {
					l := lists[m.Key]
					m.Nil, m.List = false, l[:len(l):len(l)]
				}
			case history.MopWrite:
				reg[m.Key], regSet[m.Key] = m.Value, true
			case history.MopAppend:
				lists[m.Key] = append(lists[m.Key], m.Value)
			}
		}
		h.Txns = append(h.Txns, history.Txn{Process: p, Index: int64(i), Invoke: inv, Complete: done, Outcome: history.OK, Mops: mops})
	}
	for k := range g.Keys() {
		h.Keys = append(h.Keys, itoa(k))
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
