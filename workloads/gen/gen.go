package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"

	"faultline/workloads"
	"faultline/workloads/history"
)

// Generator makes the ops of one workload. It is shared by all clients;
// each client draws from its own ClientGen.
type Generator struct {
	w       workloads.Workload
	seed    int64
	chooser KeyChooser
	table   mixTable
	readF   float64
	keys    *atomic.Int64 // current key count; grows with inserts
	names   []string      // Key(i) for the first keys, made once
	filler  string        // ValueSize dots, the padding of values
}

// maxNamed bounds the key names a Generator makes up front.
const maxNamed = 1 << 20

// New returns a generator for workload w, seeded by seed.
func New(w workloads.Workload, seed int64) (*Generator, error) {
	g := &Generator{w: w, seed: seed, keys: new(atomic.Int64)}
	g.keys.Store(int64(w.Keys))
	g.filler = strings.Repeat(".", max(w.ValueSize, 0))
	g.names = make([]string, min(max(w.Keys, 0), maxNamed))
	for i := range g.names {
		g.names[i] = Key(i)
	}
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

// SetMix makes c draw kv op types from m (a phase's override); nil goes
// back to the workload's mix.
func (c *ClientGen) SetMix(m *workloads.Mix) {
	if m == nil {
		c.table = c.g.table
		return
	}
	c.table = newMixTable(*m)
}

// Keys is the current number of keys (it grows with inserts).
func (g *Generator) Keys() int { return int(g.keys.Load()) }

// Key names key index i.
func Key(i int) string { return "k" + strconv.Itoa(i) }

// Client returns the op stream of client id: the same (seed, id) always
// yields the same ops. Values and append tokens are unique per client, so
// one ClientGen should serve a client for the whole run.
func (g *Generator) Client(id int) *ClientGen {
	r := rand.New(rand.NewPCG(uint64(g.seed), uint64(id)))
	return &ClientGen{g: g, id: id, r: r, prefix: "c" + strconv.Itoa(id) + ".", table: g.table}
}

// ClientGen is one client's op stream. It is not safe for concurrent use.
type ClientGen struct {
	g      *Generator
	id     int
	r      *rand.Rand
	prefix string
	seq    uint64
	table  mixTable
}

// Next returns the client's next op.
func (c *ClientGen) Next() Op {
	g := c.g
	switch g.w.Kind {
	case workloads.KindRegister:
		k := g.name(g.chooser.Next(c.r, g.w.Keys))
		if c.r.Float64() < g.readF {
			return Op{Kind: Get, Key: k}
		}
		return Op{Kind: Put, Key: k, Value: c.value()}
	case workloads.KindAppend:
		k := g.name(g.chooser.Next(c.r, g.w.Keys))
		if c.r.Float64() < g.readF {
			return Op{Kind: Get, Key: k}
		}
		c.seq++
		// Tokens are history.Token text, which the append checker parses.
		return Op{Kind: Append, Key: k, Value: history.Token{Client: c.id, Seq: int(c.seq)}.String()}
	}
	switch c.table.pick(c.r) {
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

func (c *ClientGen) key() string { return c.g.name(c.g.chooser.Next(c.r, c.g.Keys())) }

// name is Key(i), from the names made up front when it is one of them.
func (g *Generator) name(i int) string {
	if i >= 0 && i < len(g.names) {
		return g.names[i]
	}
	return Key(i)
}

// value makes a unique value of the configured size: the client and
// sequence number, padded with filler.
func (c *ClientGen) value() string {
	c.seq++
	var b strings.Builder
	b.Grow(max(c.g.w.ValueSize, len(c.prefix)+20))
	b.WriteString(c.prefix)
	var num [20]byte
	b.Write(strconv.AppendUint(num[:0], c.seq, 10))
	if n := c.g.w.ValueSize - b.Len(); n > 0 {
		b.WriteString(c.g.filler[:n-1])
		b.WriteByte(';')
	}
	return b.String()
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
