package history

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// Keyed is a history split by key: each key's ops in stream order, with
// each op's position in the whole stream, and the events. ReadKeyed builds
// it while it reads, so a large history is decoded once and never held as
// one flat slice; Split builds it from ops already in memory.
type Keyed struct {
	// Parts holds one Part per key, sorted by key.
	Parts []Part
	// Events are the history's events, in stream order.
	Events []Event
	// Ops is the number of ops in all parts.
	Ops int
}

// Part is the ops of one key.
type Part struct {
	Key string
	// Ops are the key's ops in stream order.
	Ops []Op
	// At[i] is the position of Ops[i] among all the history's ops
	// (0-based, counting ops only).
	At []int32
}

// keyedBuilder collects ops in stream order in fixed-size chunks (never
// moved as they fill) and each key's positions, and copies each op once
// into its key's part when done.
type keyedBuilder struct {
	k      Keyed
	index  map[string]int
	chunks [][]Op
	at     [][]int32 // per part: the positions of its ops
}

// chunkOps is the number of ops per chunk.
const chunkOps = 4096

func (b *keyedBuilder) add(op *Op) error {
	if b.k.Ops >= math.MaxInt32 {
		return fmt.Errorf("%w: more than %d ops", ErrInvalid, math.MaxInt32)
	}
	i, ok := b.index[op.Key]
	if !ok {
		if b.index == nil {
			b.index = make(map[string]int)
		}
		i = len(b.k.Parts)
		b.index[op.Key] = i
		b.k.Parts = append(b.k.Parts, Part{Key: op.Key})
		b.at = append(b.at, nil)
	}
	if n := len(b.chunks); n == 0 || len(b.chunks[n-1]) == chunkOps {
		b.chunks = append(b.chunks, make([]Op, 0, chunkOps))
	}
	last := &b.chunks[len(b.chunks)-1]
	*last = append(*last, *op)
	(*last)[len(*last)-1].Key = b.k.Parts[i].Key // one string per key, not one per op
	b.at[i] = append(b.at[i], int32(b.k.Ops))
	b.k.Ops++
	return nil
}

func (b *keyedBuilder) done() *Keyed {
	for i := range b.k.Parts {
		p := &b.k.Parts[i]
		p.At = b.at[i]
		p.Ops = make([]Op, len(p.At))
		for j, at := range p.At {
			p.Ops[j] = b.chunks[at/chunkOps][at%chunkOps]
		}
	}
	b.chunks, b.at = nil, nil
	slices.SortFunc(b.k.Parts, func(x, y Part) int { return strings.Compare(x.Key, y.Key) })
	return &b.k
}

// ReadKeyed reads a whole history stream, splitting its ops by key as it
// reads them.
func ReadKeyed(r io.Reader) (*Keyed, error) {
	var b keyedBuilder
	rd := NewReader(r)
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return b.done(), nil
		}
		if err != nil {
			return b.done(), err
		}
		switch rec.Type {
		case OpRecord:
			if err := b.add(&rec.Op); err != nil {
				return b.done(), &LineError{Line: rd.Line(), Err: err}
			}
		case EventRecord:
			b.k.Events = append(b.k.Events, rec.Event)
		}
	}
}

// ReadKeyedFile reads the history file at path with ReadKeyed.
func ReadKeyedFile(path string) (*Keyed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	k, err := ReadKeyed(f)
	if err != nil {
		return k, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// Split splits ops (and events) by key, copying the ops. It fails only
// for more than math.MaxInt32 ops.
func Split(ops []Op, events []Event) (*Keyed, error) {
	b := keyedBuilder{k: Keyed{Events: events}}
	for i := range ops {
		if err := b.add(&ops[i]); err != nil {
			return nil, fmt.Errorf("history: op %d: %w", i, err)
		}
	}
	return b.done(), nil
}

// Flat returns the ops of all parts in stream order.
func (k *Keyed) Flat() []Op {
	ops := make([]Op, k.Ops)
	for _, p := range k.Parts {
		for i, at := range p.At {
			ops[at] = p.Ops[i]
		}
	}
	return ops
}

// HasKind reports whether any op is of one of kinds.
func (k *Keyed) HasKind(kinds ...Kind) bool {
	for _, p := range k.Parts {
		for i := range p.Ops {
			if slices.Contains(kinds, p.Ops[i].Kind) {
				return true
			}
		}
	}
	return false
}
