package workloads

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Limits on config values: beyond them a run cannot be sensible on one
// machine, so they are rejected rather than attempted.
const (
	MaxNodes     = 15
	MaxClients   = 4096
	MaxKeys      = 100_000_000
	MaxValueSize = 16 << 20
)

// Validate checks every field and every cross-field rule, returning an
// Errors listing all problems (nil when the config is runnable). Call
// Defaults first.
func (c *Config) Validate() error {
	var e errs
	b := c.Backend
	if b.Nodes < 1 || b.Nodes > MaxNodes {
		e.add("backend.nodes", "%d nodes, want 1 to %d", b.Nodes, MaxNodes)
	}
	if b.Mode != "process" && b.Mode != "inprocess" {
		e.add("backend.mode", "%q, want \"process\" or \"inprocess\"", b.Mode)
	}
	w := c.Workload
	switch w.Kind {
	case KindKV, KindRegister, KindAppend:
		if c.Job != nil {
			e.add("job", "a job section needs workload kind %q", KindMapReduce)
		}
	case KindMapReduce:
		validJob(&e, c)
	default:
		if !IsMaelstrom(w.Kind) && !IsTxn(w.Kind) {
			e.add("workload.kind", "%q, want %q, %q, %q, %q, a transactional workload (%s) or a Maelstrom workload (%s)", w.Kind,
				KindKV, KindRegister, KindAppend, KindMapReduce, strings.Join(TxnKinds, ", "), strings.Join(MaelstromKinds, ", "))
		} else if c.Job != nil {
			e.add("job", "a job section needs workload kind %q", KindMapReduce)
		}
	}
	validMaelstrom(&e, &c.Workload)
	validTxn(&e, &c.Workload)
	if w.YCSB != "" {
		if w.YCSB == "e" || w.YCSB == "E" {
			e.add("workload.ycsb", "YCSB workload E needs range scans, which the Get/Put/Append API does not have")
		} else if _, ok := ycsbPresets[w.YCSB]; !ok {
			e.add("workload.ycsb", "%q, want one of %s", w.YCSB, strings.Join(presetNames(), ", "))
		} else if w.Kind != KindKV {
			e.add("workload.ycsb", "a YCSB preset needs kind %q, not %q", KindKV, w.Kind)
		}
	}
	validMix(&e, "workload.mix", w.Mix, w.Kind)
	if w.Keys < 1 || w.Keys > MaxKeys {
		e.add("workload.keys", "%d keys, want 1 to %d", w.Keys, MaxKeys)
	}
	switch {
	case IsTxn(w.Kind):
		if w.Distribution != DistUniform && w.Distribution != DistExponential {
			e.add("workload.distribution", "%q, a transactional workload picks its active keys %q or %q", w.Distribution,
				DistExponential, DistUniform)
		}
	case w.Distribution == DistExponential:
		e.add("workload.distribution", "%q is for transactional workloads (%s) only", w.Distribution, strings.Join(TxnKinds, ", "))
	}
	switch w.Distribution {
	case DistUniform, DistZipfian, DistLatest, DistExponential:
	case DistHotspot:
		h := w.Hotspot
		if !(h.Keys > 0 && h.Keys < 1) {
			e.add("workload.hotspot.keys", "%v, want a fraction of the key space in (0, 1)", h.Keys)
		}
		if !(h.Ops >= 0 && h.Ops <= 1) {
			e.add("workload.hotspot.ops", "%v, want a fraction of ops in [0, 1]", h.Ops)
		}
	default:
		e.add("workload.distribution", "%q, want %q, %q, %q or %q", w.Distribution,
			DistUniform, DistZipfian, DistLatest, DistHotspot)
	}
	if w.Distribution != DistHotspot && w.Hotspot != (Hotspot{}) {
		e.add("workload.hotspot", "set, but distribution is %q, not %q", w.Distribution, DistHotspot)
	}
	if w.ValueSize < 1 || w.ValueSize > MaxValueSize {
		e.add("workload.value_size", "%d bytes, want 1 to %d", w.ValueSize, MaxValueSize)
	}
	if w.Kind == KindAppend && w.ValueSize > 0 && w.ValueSize < 16 {
		e.add("workload.value_size", "%d bytes is too small for an append token, want >= 16", w.ValueSize)
	}
	if w.Clients < 1 || w.Clients > MaxClients {
		e.add("workload.clients", "%d clients, want 1 to %d", w.Clients, MaxClients)
	}
	validLoop(&e, "workload", w.Loop, w.Rate)
	if w.Warmup < 0 {
		e.add("workload.warmup", "%v, want >= 0", w.Warmup)
	}
	if w.Duration < 0 {
		e.add("workload.duration", "%v, want >= 0", w.Duration)
	}
	if w.Ops < 0 {
		e.add("workload.ops", "%d, want >= 0", w.Ops)
	}
	if len(c.Phases) == 0 && w.Duration == 0 && w.Ops == 0 {
		e.add("workload.duration", "no bound: set duration or ops (or phases)")
	}
	if len(c.Phases) > 0 && (w.Duration != 0 || w.Ops != 0) {
		e.add("workload.duration", "set together with phases; bound each phase instead")
	}
	if w.Timeout <= 0 || w.Timeout.D() > time.Hour {
		e.add("workload.timeout", "%v, want in (0, 1h]", w.Timeout)
	}
	if rf := w.ReadFraction; rf != nil {
		if w.Kind == KindKV {
			e.add("workload.read_fraction", "only for register and append workloads; kv workloads use mix")
		} else if !(*rf >= 0 && *rf <= 1) {
			e.add("workload.read_fraction", "%v, want a fraction in [0, 1]", *rf)
		}
	}
	names := map[string]int{}
	for i, p := range c.Phases {
		path := fmt.Sprintf("phases[%d]", i)
		if p.Name == "" {
			e.add(path+".name", "missing, every phase needs a name")
		} else if j, dup := names[p.Name]; dup {
			e.add(path+".name", "%q already names phases[%d]", p.Name, j)
		} else {
			names[p.Name] = i
		}
		if p.Duration < 0 || p.Ops < 0 || (p.Duration == 0 && p.Ops == 0) {
			e.add(path+".duration", "want a positive duration or ops bound")
		}
		validLoop(&e, path, p.Loop, p.Rate)
		if p.Mix != nil {
			if w.Kind != KindKV {
				e.add(path+".mix", "only kv workloads have a mix")
			} else {
				validMix(&e, path+".mix", *p.Mix, w.Kind)
			}
		}
	}
	if c.Check.TimeLimit <= 0 {
		e.add("check.time_limit", "%v, want > 0", c.Check.TimeLimit)
	}
	if c.Check.Linearizable != nil && *c.Check.Linearizable && (w.Kind == KindAppend || w.Kind == KindMapReduce || IsMaelstrom(w.Kind) || IsTxn(w.Kind)) {
		e.add("check.linearizable", "%s workloads have their own check; set false", w.Kind)
	}
	if c.Out == "" {
		e.add("out", "empty results directory")
	}
	if c.Compare != nil {
		validCompare(&e, c.Compare)
	}
	validBare(&e, c)
	return e.err()
}

// validBare checks the bare section against the rest of the run: the
// harness and the bare loop must be able to run the same load.
func validBare(e *errs, c *Config) {
	if c.Bare == nil {
		return
	}
	r := c.Bare.Rounds
	if r < 0 || r > MaxRounds {
		e.add("bare.rounds", "%d rounds, want 0 (off) to %d", r, MaxRounds)
	}
	if r <= 0 {
		return
	}
	w := c.Workload
	switch {
	case w.Kind == KindMapReduce:
		e.add("bare.rounds", "a %s job has no client loop to compare; set bare.rounds: 0", KindMapReduce)
	case len(c.Phases) > 0:
		e.add("bare.rounds", "set together with phases: the harness/bare rounds split one measured phase; bound the run by workload.duration")
	case w.Loop != LoopClosed:
		e.add("bare.rounds", "the bare loop is closed; set workload.loop: closed (it is %q)", w.Loop)
	case w.Duration <= 0 || w.Ops != 0:
		e.add("bare.rounds", "the harness/bare rounds split workload.duration; set it, and not workload.ops")
	case !c.Faults.IsZero():
		e.add("bare.rounds", "a bare comparison runs without faults (the bare loop records nothing to check); set bare.rounds: 0 where faults are scheduled")
	}
}

func validMix(e *errs, path string, m Mix, kind string) {
	if kind != KindKV {
		if !m.IsZero() {
			e.add(path, "only kv workloads have a mix (kind is %q)", kind)
		}
		return
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"get", m.Get}, {"put", m.Put}, {"append", m.Append}, {"insert", m.Insert}, {"rmw", m.RMW}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			e.add(path+"."+f.name, "weight %v, want >= 0", f.v)
		}
	}
	switch {
	case m.Get < 0 || m.Put < 0 || m.Append < 0 || m.Insert < 0 || m.RMW < 0:
		// Reported above, weight by weight; the total means nothing then.
	case !(m.Total() > 0):
		e.add(path, "all weights are zero: give at least one op a positive weight")
	}
}

func validLoop(e *errs, path, loop string, rate float64) {
	switch loop {
	case LoopClosed:
		if rate != 0 {
			e.add(path+".rate", "%v ops/s set, but a closed loop has no rate (use loop: open)", rate)
		}
	case LoopOpen:
		if rate == 0 {
			e.add(path+".loop", "open, but no rate: an open loop needs a rate (ops/s)")
		} else if !(rate > 0) || math.IsInf(rate, 0) || rate > 10_000_000 {
			e.add(path+".rate", "%v ops/s, an open loop needs a rate in (0, 1e7]", rate)
		}
	default:
		e.add(path+".loop", "%q, want %q or %q", loop, LoopClosed, LoopOpen)
	}
}

func presetNames() []string {
	var s []string
	for n := range ycsbPresets {
		s = append(s, n)
	}
	sort.Strings(s)
	return s
}

func validJob(e *errs, c *Config) {
	j := c.Job
	if j == nil {
		e.add("workload.kind", "%q needs a job section (app, input, reduce, workers)", KindMapReduce)
		return
	}
	if len(j.Input) == 0 {
		e.add("job.input", "no input files")
	}
	if j.Reduce < 1 || j.Reduce > 1000 {
		e.add("job.reduce", "%d reduce tasks, want 1 to 1000", j.Reduce)
	}
	if j.TaskTimeout <= 0 {
		e.add("job.task_timeout", "%v, want > 0", j.TaskTimeout)
	}
	if j.Workers != nil {
		e.add("job.workers", "the workers are the backend's nodes now: write backend.nodes: %d instead", *j.Workers)
	}
	if j.KillEvery != nil {
		e.add("job.kill_every", "worker kills come from the fault schedule now: write under faults.schedule a kill fault, e.g. "+
			"{fault: kill, target: random, random: %v, for: 1s}", *j.KillEvery)
	}
	if j.StallEvery != nil {
		e.add("job.stall_every", "worker stalls come from the fault schedule now: write under faults.schedule a pause fault, e.g. "+
			"{fault: pause, target: random, random: %v, for: %v}", *j.StallEvery, 2*j.TaskTimeout.D())
	}
}
