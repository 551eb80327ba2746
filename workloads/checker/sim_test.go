package checker

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"faultline/workloads/history"
)

// A simulated store: a correct, linearizable store driven by concurrent
// clients. Every op gets an interval [invoke, complete] and, if it takes
// effect, an instant inside it (for an info op, any instant after its
// invocation); applying ops in instant order gives the outputs.

type workloadKind int

const (
	appendWorkload   workloadKind = iota // get and append of unique tokens
	kvWorkload                           // get, put, append
	registerWorkload                     // read, write, cas
)

type simConfig struct {
	seed     uint64
	workload workloadKind
	clients  int
	ops      int
	keys     int
	readFrac float64 // fraction of reads
	infoFrac float64 // fraction of ops whose outcome is lost (info)
	failFrac float64 // fraction of writes that fail without effect
	// Broken-store knobs (kv and register workloads).
	staleFrac float64 // reads that return the value from two writes ago
	loseFrom  int     // if > 0, writes of client loseFrom-1 are acknowledged but dropped
}

type simOp struct {
	op      history.Op
	at      int64 // the instant it takes effect
	applied bool
}

// simulate returns a history ordered by completion time, as a recorder
// would write it.
func simulate(cfg simConfig) []history.Op {
	r := rand.New(rand.NewPCG(cfg.seed, 0x5eed))
	if cfg.keys <= 0 {
		cfg.keys = 1
	}
	sops := make([]simOp, 0, cfg.ops)
	clock := make([]int64, cfg.clients)
	seq := make([]int, cfg.clients)
	for c := range clock {
		clock[c] = int64(r.IntN(100_000))
	}
	for i := 0; i < cfg.ops; i++ {
		c := i % cfg.clients
		inv := clock[c] + int64(r.IntN(200_000))
		dur := int64(50_000 + r.IntN(2_000_000))
		op := history.Op{Client: c, Key: "k" + strconv.Itoa(r.IntN(cfg.keys)), Invoke: inv, Complete: inv + dur, Outcome: history.OK}
		clock[c] = op.Complete
		read := r.Float64() < cfg.readFrac
		switch cfg.workload {
		case appendWorkload, kvWorkload:
			// A write appends a fresh token; half of a kv workload's
			// writes are puts instead.
			switch {
			case read:
				op.Kind = history.Get
			case cfg.workload == kvWorkload && r.IntN(2) == 0:
				op.Kind = history.Put
				op.Value = "v" + strconv.Itoa(c) + "." + strconv.Itoa(seq[c]) + ";"
			default:
				op.Kind = history.Append
				op.Value = history.Token{Client: c, Seq: seq[c]}.String()
			}
			if !read {
				seq[c]++
			}
		case registerWorkload:
			switch {
			case read:
				op.Kind = history.Read
			case r.IntN(2) == 0:
				op.Kind = history.Write
				op.Value = strconv.Itoa(r.IntN(5))
			default:
				op.Kind = history.CAS
				op.Expect = strconv.Itoa(r.IntN(5))
				op.Value = strconv.Itoa(r.IntN(5))
			}
		}
		s := simOp{op: op, applied: true, at: inv + r.Int64N(dur+1)}
		switch x := r.Float64(); {
		case x < cfg.infoFrac:
			s.op.Outcome = history.Info
			s.op.Error = "timeout"
			s.applied = !read && r.IntN(2) == 0
			s.at = inv + r.Int64N(4*dur+1) // may land after the client gave up
		case x < cfg.infoFrac+cfg.failFrac && !read:
			s.op.Outcome = history.Fail
			s.op.Error = "not leader"
			s.applied = false
		}
		sops = append(sops, s)
	}
	order := make([]int, len(sops))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		x, y := &sops[order[a]], &sops[order[b]]
		if x.at != y.at {
			return x.at < y.at
		}
		return order[a] < order[b]
	})
	if cfg.workload == appendWorkload {
		applyAppends(sops, order)
	} else {
		applyValues(cfg, sops, order, r)
	}
	sort.SliceStable(sops, func(a, b int) bool { return sops[a].op.Complete < sops[b].op.Complete })
	out := make([]history.Op, len(sops))
	for i := range sops {
		out[i] = sops[i].op
	}
	return out
}

// applyAppends runs an append-only store. Reads record a length; after the
// run each read is sliced from its key's final value, so all reads of a key
// share one backing string, as reads of one growing value would.
func applyAppends(sops []simOp, order []int) {
	vals := map[string]*strings.Builder{}
	lens := make([]int, len(sops))
	for _, i := range order {
		s := &sops[i]
		b := vals[s.op.Key]
		if b == nil {
			b = &strings.Builder{}
			vals[s.op.Key] = b
		}
		switch {
		case s.op.Kind == history.Append && s.applied:
			b.WriteString(s.op.Value)
		case s.op.Kind == history.Get && s.op.Outcome == history.OK:
			lens[i] = b.Len()
		}
	}
	final := map[string]string{}
	for k, b := range vals {
		final[k] = b.String()
	}
	for i := range sops {
		if s := &sops[i]; s.op.Kind == history.Get && s.op.Outcome == history.OK {
			s.op.Output = final[s.op.Key][:lens[i]]
		}
	}
}

// applyValues runs a kv or register store, optionally broken.
func applyValues(cfg simConfig, sops []simOp, order []int, r *rand.Rand) {
	type state struct{ cur, prev, prev2 string }
	vals := map[string]*state{}
	for _, i := range order {
		s := &sops[i]
		st := vals[s.op.Key]
		if st == nil {
			st = &state{}
			vals[s.op.Key] = st
		}
		if s.op.Kind.Reads() {
			if s.op.Outcome == history.OK {
				s.op.Output = st.cur
				if cfg.staleFrac > 0 && r.Float64() < cfg.staleFrac {
					s.op.Output = st.prev2
				}
			}
			continue
		}
		if s.op.Kind == history.CAS && s.applied && st.cur != s.op.Expect {
			s.applied = false // the comparison failed: no effect
			if s.op.Outcome == history.OK {
				s.op.Outcome = history.Fail
				s.op.Error = "cas mismatch"
			}
		}
		if !s.applied || cfg.loseFrom > 0 && s.op.Client == cfg.loseFrom-1 && s.op.Outcome == history.OK {
			continue
		}
		next := s.op.Value
		if s.op.Kind == history.Append {
			next = st.cur + s.op.Value
		}
		st.prev2, st.prev, st.cur = st.prev, st.cur, next
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }
