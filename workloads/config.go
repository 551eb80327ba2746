package workloads

import (
	"gopkg.in/yaml.v3"
)

// Config is one run of the harness, as written in a YAML workload config.
// The zero value of every optional field means "the default"; Defaults fills
// them in and Validate checks the result.
type Config struct {
	// Name labels the run in results and reports.
	Name string `yaml:"name" json:"name"`
	// Seed seeds every random choice of the run (ops, keys, values, fault
	// schedule). Zero picks a fresh seed, which is recorded.
	Seed int64 `yaml:"seed" json:"seed"`
	// Out is the directory under which each run's results folder is made.
	Out string `yaml:"out" json:"out"`
	// Backend is the system under test.
	Backend Backend `yaml:"backend" json:"backend"`
	// Workload is the load applied to it.
	Workload Workload `yaml:"workload" json:"workload"`
	// Phases split the measured part of the run; without any, one phase
	// named "main" runs for Workload.Duration (or Workload.Ops).
	Phases []Phase `yaml:"phases" json:"phases,omitempty"`
	// Check says which checks run on the history.
	Check Check `yaml:"check" json:"check"`
	// Job describes a batch job (workload kind "mapreduce").
	Job *Job `yaml:"job" json:"job,omitempty"`
	// Faults is the fault schedule, interpreted by the chaos controller. It
	// is kept as YAML so that its schema belongs to the controller.
	Faults yaml.Node `yaml:"faults,omitempty" json:"-"`
	// Compare makes the config a side-by-side benchmark of several
	// backends over alternating rounds (see Compare and Expand).
	Compare *Compare `yaml:"compare,omitempty" json:"compare,omitempty"`
	// Bare measures the harness against the backend's own bare loop in
	// the same run (see Bare).
	Bare *Bare `yaml:"bare,omitempty" json:"bare,omitempty"`
}

// Bare makes a run measure the harness's overhead: after the warm-up, the
// measured duration is split into Rounds pairs of two equal stretches on
// the same cluster, one driven by the harness (history recorded, every op
// measured) and one by the backend's bare loop (its own client library
// called directly with the same clients, keys, values and op mix, made by
// the same generator; nothing recorded), the pair's order alternating
// from round to round. results.json then gives each stretch's throughput
// and the harness/bare ratio (the median of the rounds'). It needs a
// backend with the bare power, a closed loop, a duration bound, no
// phases and no faults.
type Bare struct {
	// Rounds is the number of harness/bare pairs; 0 turns the comparison
	// off (a compare case can so undo the base config's).
	Rounds int `yaml:"rounds" json:"rounds"`
}

// BareOn reports whether the run compares the harness with the bare loop.
func (c *Config) BareOn() bool { return c.Bare != nil && c.Bare.Rounds > 0 }

// Backend selects and shapes the system under test.
type Backend struct {
	// Name is a registered backend ("raftkv", "memory").
	Name string `yaml:"name" json:"name"`
	// Nodes is the number of nodes (replicas).
	Nodes int `yaml:"nodes" json:"nodes"`
	// Mode is "process" (each node a separate OS process, the default) or
	// "inprocess" (goroutines of the harness, still over TCP).
	Mode string `yaml:"mode" json:"mode"`
	// Fsync makes durable writes reach the disk before they are
	// acknowledged. Default true.
	Fsync *bool `yaml:"fsync" json:"fsync"`
	// Options are backend-specific settings passed through verbatim.
	Options map[string]string `yaml:"options" json:"options,omitempty"`
}

// Workload kinds.
const (
	// KindKV is a key/value mix (YCSB or custom), checked for
	// linearizability per key when asked.
	KindKV = "kv"
	// KindRegister is Get/Put of unique values on a small key space, made
	// for the linearizability checker.
	KindRegister = "register"
	// KindAppend has every client append unique tokens to shared keys and
	// read them back, checked by the exact append checker.
	KindAppend = "append"
	// KindMapReduce runs one MapReduce job (backend "mapreduce") and
	// checks its output against a sequential run.
	KindMapReduce = "mapreduce"
)

// Loop disciplines.
const (
	// LoopClosed runs Clients workers, each issuing its next op when the
	// last one returns.
	LoopClosed = "closed"
	// LoopOpen issues ops at a fixed total Rate, measuring each op's latency
	// from its intended start time so that stalls are not hidden
	// (coordinated omission corrected).
	LoopOpen = "open"
)

// Key distributions.
const (
	DistUniform = "uniform"
	DistZipfian = "zipfian"
	DistLatest  = "latest"
	DistHotspot = "hotspot"
)

// Workload is the load: what ops, on which keys, how fast, for how long.
type Workload struct {
	// Kind is "kv" (default), "register", "append", "mapreduce", one of
	// TxnKinds ("list-append", "rw-register") or one of MaelstromKinds
	// ("broadcast").
	Kind string `yaml:"kind" json:"kind"`
	// YCSB picks a YCSB core workload preset: "a", "b", "c", "d" or "f".
	// It sets Mix and the default Distribution; E (scans) is not supported.
	YCSB string `yaml:"ycsb" json:"ycsb,omitempty"`
	// Mix weighs the op types of a kv workload.
	Mix Mix `yaml:"mix" json:"mix"`
	// Keys is the number of distinct keys.
	Keys int `yaml:"keys" json:"keys"`
	// Distribution is how keys are chosen: "uniform", "zipfian" (constant
	// 0.99, scrambled as YCSB does), "latest" or "hotspot".
	Distribution string `yaml:"distribution" json:"distribution"`
	// Hotspot shapes the "hotspot" distribution.
	Hotspot Hotspot `yaml:"hotspot" json:"hotspot"`
	// ValueSize is the size in bytes of every written value.
	ValueSize int `yaml:"value_size" json:"value_size"`
	// Clients is the number of concurrent workers, each with its own client.
	Clients int `yaml:"clients" json:"clients"`
	// Loop is "closed" (default) or "open".
	Loop string `yaml:"loop" json:"loop"`
	// Rate is the open loop's total target rate in ops per second.
	Rate float64 `yaml:"rate" json:"rate,omitempty"`
	// Warmup runs the workload first for this long without counting it in
	// the measurements (its ops are still in the history and checked).
	Warmup Duration `yaml:"warmup" json:"warmup"`
	// Duration bounds the measured run (when there are no Phases).
	Duration Duration `yaml:"duration" json:"duration"`
	// Ops bounds the measured run by a number of ops (when there are no
	// Phases); zero means no bound. The first of Duration and Ops ends it.
	Ops int64 `yaml:"ops" json:"ops,omitempty"`
	// Timeout bounds every single op; an op that times out is recorded
	// with an unknown outcome.
	Timeout Duration `yaml:"timeout" json:"timeout"`
	// ReadFraction is the share of reads in register and append workloads.
	ReadFraction *float64 `yaml:"read_fraction" json:"read_fraction,omitempty"`
	// Maelstrom shapes a Maelstrom workload (a kind of MaelstromKinds).
	Maelstrom *Maelstrom `yaml:"maelstrom,omitempty" json:"maelstrom,omitempty"`
	// Txn shapes a transactional workload (a kind of TxnKinds).
	Txn *Txn `yaml:"txn,omitempty" json:"txn,omitempty"`
}

// Mix weighs op types. Weights are relative and need not sum to one.
type Mix struct {
	// Get reads a key.
	Get float64 `yaml:"get" json:"get,omitempty"`
	// Put overwrites an existing key.
	Put float64 `yaml:"put" json:"put,omitempty"`
	// Append appends to an existing key.
	Append float64 `yaml:"append" json:"append,omitempty"`
	// Insert writes a new key beyond the current key space (YCSB D).
	Insert float64 `yaml:"insert" json:"insert,omitempty"`
	// RMW reads a key and then writes it (YCSB F).
	RMW float64 `yaml:"rmw" json:"rmw,omitempty"`
}

// Total is the sum of the weights.
func (m Mix) Total() float64 { return m.Get + m.Put + m.Append + m.Insert + m.RMW }

// IsZero reports whether no weight is set.
func (m Mix) IsZero() bool { return m == Mix{} }

// Hotspot shapes the "hotspot" key distribution: a fraction Ops of the ops
// goes to the hot set, the first Keys fraction of the key space.
type Hotspot struct {
	Keys float64 `yaml:"keys" json:"keys"`
	Ops  float64 `yaml:"ops" json:"ops"`
}

// Phase is a stretch of the measured run, with optional overrides.
type Phase struct {
	// Name labels the phase in results.
	Name string `yaml:"name" json:"name"`
	// Duration bounds the phase.
	Duration Duration `yaml:"duration" json:"duration"`
	// Ops bounds the phase by a number of ops; zero means no bound.
	Ops int64 `yaml:"ops" json:"ops,omitempty"`
	// Loop overrides Workload.Loop.
	Loop string `yaml:"loop" json:"loop,omitempty"`
	// Rate overrides Workload.Rate.
	Rate float64 `yaml:"rate" json:"rate,omitempty"`
	// Mix overrides Workload.Mix (kv workloads only).
	Mix *Mix `yaml:"mix" json:"mix,omitempty"`
}

// Check selects the checks run on the history after the load.
type Check struct {
	// Linearizable runs the porcupine linearizability check per key
	// (default true for kv and register workloads).
	Linearizable *bool `yaml:"linearizable" json:"linearizable"`
	// TimeLimit bounds the linearizability check; when it runs out the
	// verdict is unknown, never valid.
	TimeLimit Duration `yaml:"time_limit" json:"time_limit"`
}

// Job is a MapReduce batch job.
type Job struct {
	// App is a built-in application ("wc", "indexer") or a plugin path.
	App string `yaml:"app" json:"app"`
	// Input lists input files or glob patterns, relative to the working
	// directory; one map task per file.
	Input []string `yaml:"input" json:"input"`
	// Reduce is the number of reduce tasks.
	Reduce int `yaml:"reduce" json:"reduce"`
	// Verify compares the output with a sequential run (default true).
	Verify *bool `yaml:"verify" json:"verify"`
	// TaskTimeout is how long the coordinator waits before reassigning a
	// task.
	TaskTimeout Duration `yaml:"task_timeout" json:"task_timeout"`

	// Retired keys of the first build's job section, decoded only so that
	// Validate can say what to write instead: the workers are the
	// backend's nodes (backend.nodes), and their kills and stalls come from
	// the fault schedule (kill and pause faults).
	Workers    *int      `yaml:"workers,omitempty" json:"-"`
	KillEvery  *Duration `yaml:"kill_every,omitempty" json:"-"`
	StallEvery *Duration `yaml:"stall_every,omitempty" json:"-"`
}
