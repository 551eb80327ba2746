package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"faultline/workloads/history"
)

// TxnConfig holds the knobs of Elle's transactional generators
// (elle.txn/wr-txns), for list-append (Write MopAppend) and rw-register
// (Write MopWrite) workloads. Zero fields take Elle's defaults.
type TxnConfig struct {
	// Write is the write micro-op: history.MopAppend or history.MopWrite.
	Write history.MopKind
	// KeyCount is the number of active keys at a time (default 3).
	KeyCount int
	// MinTxnLength and MaxTxnLength bound the micro-ops per transaction
	// (defaults 1 and 2).
	MinTxnLength, MaxTxnLength int
	// MaxWritesPerKey retires a key after that many writes, replacing it
	// with a fresh one (default 32): reads stay short and keys rotate.
	MaxWritesPerKey int
	// ReadFraction is the share of micro-ops that are reads (default 0.5).
	ReadFraction float64
	// Exponential picks active keys with probability growing by
	// KeyDistBase per key (Elle's :exponential, its default); false picks
	// uniformly.
	Exponential bool
	// KeyDistBase is the exponential distribution's base (default 2).
	KeyDistBase float64
}

func (c TxnConfig) withDefaults() (TxnConfig, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.KeyCount, 3)
	def(&c.MinTxnLength, 1)
	def(&c.MaxTxnLength, 2)
	def(&c.MaxWritesPerKey, 32)
	if c.ReadFraction == 0 {
		c.ReadFraction = 0.5
	}
	if c.KeyDistBase == 0 {
		c.KeyDistBase = 2
	}
	switch {
	case c.Write != history.MopAppend && c.Write != history.MopWrite:
		return c, fmt.Errorf("gen: txn write %v: want append or w", c.Write)
	case c.KeyCount < 1 || c.MinTxnLength < 1 || c.MaxTxnLength < c.MinTxnLength || c.MaxWritesPerKey < 1:
		return c, fmt.Errorf("gen: txn config %+v: counts must be positive and min <= max length", c)
	case c.ReadFraction < 0 || c.ReadFraction > 1:
		return c, fmt.Errorf("gen: txn read fraction %v outside [0, 1]", c.ReadFraction)
	case c.KeyDistBase <= 1:
		return c, fmt.Errorf("gen: txn key distribution base %v: want > 1", c.KeyDistBase)
	}
	return c, nil
}

// TxnGen draws transactions over a rotating pool of integer keys; every
// write of a key has a value unique to it (1, 2, 3, ... per key), as Elle
// requires. One TxnGen serves all clients of a run; it is safe for
// concurrent use and deterministic given its seed and call order.
type TxnGen struct {
	mu     sync.Mutex
	cfg    TxnConfig
	r      *rand.Rand
	active []int32 // active keys
	next   int32   // the next fresh key
	writes map[int32]int64
	scale  float64
}

// NewTxnGen returns a generator with cfg, seeded by seed.
func NewTxnGen(cfg TxnConfig, seed int64) (*TxnGen, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &TxnGen{cfg: cfg, r: rand.New(rand.NewPCG(uint64(seed), 0x7478)), writes: map[int32]int64{}}
	for range cfg.KeyCount {
		g.active = append(g.active, g.next)
		g.next++
	}
	b := cfg.KeyDistBase
	g.scale = b * (math.Pow(b, float64(cfg.KeyCount)) - 1) / (b - 1)
	return g, nil
}

// Next returns the micro-ops of a new transaction: reads (Nil, to be
// filled by the database) and writes of fresh values. Key is the key's
// number.
func (g *TxnGen) Next() []history.Mop {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.cfg.MinTxnLength + g.r.IntN(g.cfg.MaxTxnLength-g.cfg.MinTxnLength+1)
	mops := make([]history.Mop, n)
	for i := range mops {
		slot := g.pick()
		k := g.active[slot]
		if g.r.Float64() < g.cfg.ReadFraction {
			mops[i] = history.Mop{Kind: history.MopRead, Key: k, Nil: true, IsList: g.cfg.Write == history.MopAppend}
			continue
		}
		g.writes[k]++
		mops[i] = history.Mop{Kind: g.cfg.Write, Key: k, Value: g.writes[k]}
		if g.writes[k] >= int64(g.cfg.MaxWritesPerKey) {
			delete(g.writes, k)
			g.active[slot] = g.next // retire k for a fresh key
			g.next++
		}
	}
	return mops
}

// Keys returns how many keys the generator has used so far (keys are
// numbered 0 ..).
func (g *TxnGen) Keys() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return int(g.next)
}

// pick returns the slot of an active key.
func (g *TxnGen) pick() int {
	if !g.cfg.Exponential {
		return g.r.IntN(len(g.active))
	}
	b := g.cfg.KeyDistBase
	i := int(math.Floor(math.Log(g.r.Float64()*g.scale+b)/math.Log(b) - 1))
	return min(max(i, 0), len(g.active)-1)
}
