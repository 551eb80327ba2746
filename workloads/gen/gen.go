package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"

	"faultline/workloads"
)

// TokenFunc makes the unique token that client appends as its seq-th
// append in an append workload. The append checker parses it back.
type TokenFunc func(client int, seq uint64) string

// DefaultToken formats tokens as "c<client>.<seq>;", a format with no
// ambiguity when tokens are concatenated.
func DefaultToken(client int, seq uint64) string {
	return "c" + strconv.Itoa(client) + "." + strconv.FormatUint(seq, 10) + ";"
}

// Generator makes the ops of one workload. It is shared by all clients;
// each client draws from its own ClientGen.
type Generator struct {
	w       workloads.Workload
	seed    int64
	token   TokenFunc
	chooser KeyChooser
	table   mixTable
	readF   float64
	keys    *atomic.Int64 // current key count; grows with inserts
}

// New returns a generator for workload w, seeded by seed. token formats
// append-workload tokens; nil means DefaultToken.
func New(w workloads.Workload, seed int64, token TokenFunc) (*Generator, error) {
	if token == nil {
		token = DefaultToken
	}
	g := &Generator{w: w, seed: seed, token: token, keys: new(atomic.Int64)}
	g.keys.Store(int64(w.Keys))
	switch w.Distribution {
	case workloads.DistUniform:
		g.chooser = Uniform{}
	case workloads.DistZipfian:
		g.chooser = NewScrambledZipfian(w.Keys)
	case workloads.DistLatest:
		g.chooser = NewLatest(w.Keys)
	case workloads.DistHotspot:
		g.chooser = Hotspot{HotKeys: w.Hotspot.Keys, HotOps: w.Hotspot.Ops}
	default:
		return nil, fmt.Errorf("gen: unknown distribution %q", w.Distribution)
	}
	if w.ReadFraction != nil {
		g.readF = *w.ReadFraction
	}
	if w.Kind == workloads.KindKV {
		g.table = newMixTable(w.Mix)
		if g.table.total <= 0 {
			return nil, fmt.Errorf("gen: mix %+v has no positive weight", w.Mix)
		}
	}
	return g, nil
}

// WithMix returns a generator sharing g's key space but drawing op types
// from m (a phase's override).
func (g *Generator) WithMix(m workloads.Mix) *Generator {
	h := *g
	h.table = newMixTable(m)
	return &h
}

// Keys is the current number of keys (it grows with inserts).
func (g *Generator) Keys() int { return int(g.keys.Load()) }

// Key names key index i.
func Key(i int) string { return "k" + strconv.Itoa(i) }

// Client returns the op stream of client id in stream (a phase number):
// the same (seed, id, stream) always yields the same ops.
func (g *Generator) Client(id, stream int) *ClientGen {
	r := rand.New(rand.NewPCG(uint64(g.seed), uint64(id)<<20|uint64(stream)))
	return &ClientGen{g: g, id: id, r: r, prefix: "c" + strconv.Itoa(id) + "."}
}

// ClientGen is one client's op stream. It is not safe for concurrent use.
type ClientGen struct {
	g      *Generator
	id     int
	r      *rand.Rand
	prefix string
	seq    uint64
}

// Next returns the client's next op.
func (c *ClientGen) Next() Op {
	g := c.g
	switch g.w.Kind {
	case workloads.KindRegister:
		k := Key(g.chooser.Next(c.r, g.w.Keys))
		if c.r.Float64() < g.readF {
			return Op{Kind: Get, Key: k}
		}
		return Op{Kind: Put, Key: k, Value: c.value()}
	case workloads.KindAppend:
		k := Key(g.chooser.Next(c.r, g.w.Keys))
		if c.r.Float64() < g.readF {
			return Op{Kind: Get, Key: k}
		}
		c.seq++
		return Op{Kind: Append, Key: k, Value: g.token(c.id, c.seq)}
	}
	switch g.table.pick(c.r) {
	case mixInsert:
		i := int(g.keys.Add(1)) - 1
		return Op{Kind: Put, Key: Key(i), Value: c.value()}
	case mixPut:
		return Op{Kind: Put, Key: c.key(), Value: c.value()}
	case mixAppend:
		return Op{Kind: Append, Key: c.key(), Value: c.value()}
	case mixRMW:
		return Op{Kind: RMW, Key: c.key(), Value: c.value()}
	default:
		return Op{Kind: Get, Key: c.key()}
	}
}

func (c *ClientGen) key() string { return Key(c.g.chooser.Next(c.r, c.g.Keys())) }

// value makes a unique value of the configured size: the client and
// sequence number, padded with filler.
func (c *ClientGen) value() string {
	c.seq++
	v := c.prefix + strconv.FormatUint(c.seq, 10)
	if n := c.g.w.ValueSize - len(v); n > 0 {
		v += strings.Repeat(".", n-1) + ";"
	}
	return v
}

type mixKind uint8

const (
	mixGet mixKind = iota
	mixPut
	mixAppend
	mixInsert
	mixRMW
)

// mixTable picks an op type by cumulative weights.
type mixTable struct {
	cum   [5]float64
	total float64
}

func newMixTable(m workloads.Mix) mixTable {
	var t mixTable
	for i, w := range []float64{m.Get, m.Put, m.Append, m.Insert, m.RMW} {
		t.total += w
		t.cum[i] = t.total
	}
	return t
}

func (t mixTable) pick(r *rand.Rand) mixKind {
	x := r.Float64() * t.total
	for i, c := range t.cum {
		if x < c {
			return mixKind(i)
		}
	}
	return mixGet
}
