package workloads

import "time"

// Default values used by Defaults.
const (
	DefaultBackend   = "raftkv"
	DefaultNodes     = 3
	DefaultKeys      = 1000
	DefaultValueSize = 100
	DefaultClients   = 8
	DefaultDuration  = 30 * time.Second
	DefaultTimeout   = 2 * time.Second
	DefaultTimeLimit = 60 * time.Second
	DefaultOut       = "results"
	DefaultRounds    = 3
)

// Default is the config of a bare `bench` run: a 3-node raftkv cluster in
// process mode, a mixed read/write/append workload on a zipfian key space,
// about 40 seconds in all, checked for linearizability.
func Default() Config {
	c := Config{
		Name:    "default",
		Backend: Backend{Name: DefaultBackend, Nodes: DefaultNodes, Mode: "process"},
		Workload: Workload{
			Kind:         KindKV,
			Mix:          Mix{Get: 0.6, Put: 0.3, Append: 0.1},
			Keys:         200,
			Distribution: DistZipfian,
			ValueSize:    32,
			Clients:      8,
			Loop:         LoopClosed,
			Warmup:       Duration(3 * time.Second),
			Duration:     Duration(35 * time.Second),
		},
	}
	c.Defaults()
	return c
}

// Defaults fills every unset optional field with its default. It is
// idempotent and never overrides a value that was set.
func (c *Config) Defaults() {
	if c.Out == "" {
		c.Out = DefaultOut
	}
	b := &c.Backend
	if b.Name == "" {
		b.Name = DefaultBackend
	}
	if b.Nodes == 0 {
		b.Nodes = DefaultNodes
		if b.Name == "memory" {
			b.Nodes = 1
		}
	}
	if b.Mode == "" {
		b.Mode = "process"
	}
	if b.Fsync == nil {
		t := true
		b.Fsync = &t
	}
	w := &c.Workload
	if w.Kind == "" {
		w.Kind = KindKV
	}
	if p, ok := ycsbPresets[w.YCSB]; ok && w.Mix.IsZero() {
		w.Mix = p.mix
		if w.Distribution == "" {
			w.Distribution = p.dist
		}
	}
	switch w.Kind {
	case KindRegister:
		if w.Keys == 0 {
			w.Keys = 5
		}
		if w.ValueSize == 0 {
			w.ValueSize = 8
		}
	case KindAppend:
		if w.Keys == 0 {
			w.Keys = 10
		}
	}
	w.maelstromDefaults()
	w.txnDefaults()
	if w.Kind == KindKV && w.Mix.IsZero() {
		w.Mix = Mix{Get: 0.5, Put: 0.5}
	}
	if w.Keys == 0 {
		w.Keys = DefaultKeys
	}
	if w.Distribution == "" {
		w.Distribution = DistUniform
		if w.Kind == KindKV {
			w.Distribution = DistZipfian
		}
	}
	if w.Distribution == DistHotspot && w.Hotspot == (Hotspot{}) {
		w.Hotspot = Hotspot{Keys: 0.2, Ops: 0.8}
	}
	if w.ValueSize == 0 {
		w.ValueSize = DefaultValueSize
	}
	if w.Clients == 0 {
		w.Clients = DefaultClients
	}
	if w.Loop == "" {
		w.Loop = LoopClosed
	}
	if w.Duration == 0 && w.Ops == 0 && len(c.Phases) == 0 {
		w.Duration = Duration(DefaultDuration)
	}
	if w.Timeout == 0 {
		w.Timeout = Duration(DefaultTimeout)
	}
	if w.ReadFraction == nil && (w.Kind == KindRegister || w.Kind == KindAppend) {
		f := 0.5
		if w.Kind == KindAppend {
			f = 0.2
		}
		w.ReadFraction = &f
	}
	for i := range c.Phases {
		p := &c.Phases[i]
		if p.Loop == "" {
			p.Loop = w.Loop
		}
		if p.Rate == 0 {
			p.Rate = w.Rate
		}
	}
	if j := c.Job; j != nil {
		if j.App == "" {
			j.App = "wc"
		}
		if j.Reduce == 0 {
			j.Reduce = 10
		}
		if j.Verify == nil {
			t := true
			j.Verify = &t
		}
		if j.TaskTimeout == 0 {
			j.TaskTimeout = Duration(10 * time.Second)
		}
	}
	if c.Check.Linearizable == nil {
		on := w.Kind == KindKV || w.Kind == KindRegister
		c.Check.Linearizable = &on
	}
	if c.Check.TimeLimit == 0 {
		c.Check.TimeLimit = Duration(DefaultTimeLimit)
	}
	if c.Compare != nil && c.Compare.Rounds == 0 {
		c.Compare.Rounds = DefaultRounds
	}
}

// MeasuredPhases returns the phases of the measured run: the configured
// ones, or a single "main" phase from the workload's bounds.
func (c *Config) MeasuredPhases() []Phase {
	if len(c.Phases) > 0 {
		return c.Phases
	}
	return []Phase{{Name: "main", Duration: c.Workload.Duration, Ops: c.Workload.Ops,
		Loop: c.Workload.Loop, Rate: c.Workload.Rate}}
}
