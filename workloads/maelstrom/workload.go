package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"faultline/system/backend"
	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// Workload is one Maelstrom workload. Its methods are safe for concurrent
// use; a Generator is not (one per client goroutine).
type Workload interface {
	// Name is the workload's Maelstrom name ("broadcast").
	Name() string
	// Setup runs once before the clients start, with the node ids
	// n0..n(N-1): broadcast sends each node its topology. Others do
	// nothing. An error means the run cannot start.
	Setup(ctx context.Context, nodes []string, inv backend.Invoker) error
	// Client returns the request generator of client (1..Options.Clients),
	// seeded: the same seed gives the same requests for the same replies.
	Client(client int, seed int64) Generator
	// Final runs after the faults heal: reads of every node, Kafka polls
	// to the end. inv records its requests (a Recorder); the runner marks
	// the phase's start with a FinalPhase event first. It returns an error
	// only when ctx ends; failed requests are in the history.
	Final(ctx context.Context, nodes []string, inv backend.Invoker) error
	// Check judges a run's history. It never returns Valid for what it
	// could not judge.
	Check(ctx context.Context, run Run) checker.Result
	// Judge returns nil when the checker can judge runs under fault f, or
	// an error wrapping ErrCannotJudge that says why not.
	Judge(f Fault) error
}

// Generator yields one client's requests, one at a time: Next, then the
// runner invokes the request and hands the outcome to Update.
type Generator interface {
	// Next returns the client's next request.
	Next() Request
	// Update tells the generator how req ended (reply is the JSON body of
	// an ok reply; err is nil then). Kafka clients move their offsets by
	// it; the others ignore it.
	Update(req Request, reply []byte, err error)
}

// Run is what a workload's check judges.
type Run struct {
	// Ops and Events are the run's history, in any order.
	Ops    []history.Op
	Events []history.Event
	// Net is the router's message count, when known: messages per op.
	Net *NetStats
	// Dir is where a check may write files (porcupine's visualization of
	// a lin-kv violation); "" writes none.
	Dir string
}

// NetStats counts the messages the router saw during the run, as
// Maelstrom's net checker does: all of them, those from or to clients, and
// those between servers (nodes and services).
type NetStats struct {
	All, Clients, Servers int64
}

// Fault is a fault the runner means to inject, named as in a chaos
// schedule.
type Fault struct {
	// Kind is the fault kind: "partition", "kill", "pause", "network",
	// "join", "leave", "move".
	Kind string
	// Duplicates is set for a "network" fault whose link faults duplicate
	// messages (a client's request may then reach its node twice).
	Duplicates bool
}

// String names the fault for messages.
func (f Fault) String() string {
	if f.Duplicates {
		return f.Kind + " (duplicating messages)"
	}
	return f.Kind
}

// ErrCannotJudge is wrapped by Judge's refusals.
var ErrCannotJudge = errors.New("checker cannot judge this fault")

// ErrUnknownWorkload is wrapped by New's error for an unknown name.
var ErrUnknownWorkload = errors.New("unknown maelstrom workload")

// Options configures a workload. Zero fields take Maelstrom's defaults.
type Options struct {
	// Clients is how many clients run, numbered 1..Clients; values that
	// must be unique across clients (broadcast messages, set elements,
	// Kafka messages) are interleaved by it. Required.
	Clients int
	// Topology is broadcast's topology (see Topologies); "" is "grid".
	Topology string
	// KeyCount is how many keys lin-kv uses at once and Kafka uses in all;
	// 0 is 3 for lin-kv and 4 for Kafka.
	KeyCount int
	// OpsPerKey is how many lin-kv ops or transactions each client makes
	// on a key set before moving to fresh keys (keeps porcupine's search
	// small); 0 is 40. MaxWritesPerKey, when set, replaces it.
	OpsPerKey int
	// MaxWritesPerKey bounds the writes any one key of lin-kv (writes and
	// cases) or of the transactional workloads (writes and appends) takes
	// over all clients (Maelstrom's --max-writes-per-key): the keys in
	// play are shared by the clients, and a key that took that many is
	// retired for a fresh one. A client's keys then depend on the other
	// clients' progress. 0 is no bound.
	MaxWritesPerKey int
	// MaxTxnLength bounds the micro-ops of a transaction; 0 is 4.
	MaxTxnLength int
}

// makers maps each workload name to its constructor.
var makers = map[string]func(Options) Workload{
	"echo":            func(o Options) Workload { return echo{base{"echo", o}} },
	"unique-ids":      func(o Options) Workload { return uniqueIDs{base{"unique-ids", o}} },
	"broadcast":       newBroadcast,
	"g-set":           newGSet,
	"g-counter":       func(o Options) Workload { return newCounter("g-counter", false, o) },
	"pn-counter":      func(o Options) Workload { return newCounter("pn-counter", true, o) },
	"lin-kv":          func(o Options) Workload { return linKV{base{"lin-kv", o}, newWritePool(o)} },
	"kafka":           func(o Options) Workload { return kafka{base{"kafka", o}} },
	"txn-list-append": func(o Options) Workload { return newTxn("txn-list-append", o) },
	"txn-rw-register": func(o Options) Workload { return newTxn("txn-rw-register", o) },
}

// Names lists the workloads New knows, sorted.
func Names() []string { return sortedKeys(makers) }

// New returns the workload called name, configured by opts.
func New(name string, opts Options) (Workload, error) {
	mk, ok := makers[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownWorkload, name, strings.Join(Names(), ", "))
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return mk(opts), nil
}

// validate checks opts' bounds and fills defaults' absence checks.
func (o *Options) validate() error {
	switch {
	case o.Clients < 1:
		return fmt.Errorf("maelstrom options: clients %d must be at least 1", o.Clients)
	case o.KeyCount < 0, o.OpsPerKey < 0, o.MaxTxnLength < 0, o.MaxWritesPerKey < 0:
		return fmt.Errorf("maelstrom options: key count %d, ops per key %d, max txn length %d and max writes per key %d must not be negative",
			o.KeyCount, o.OpsPerKey, o.MaxTxnLength, o.MaxWritesPerKey)
	}
	if o.Topology != "" {
		if _, err := Topology(o.Topology, []string{"n0"}); err != nil {
			return err
		}
	}
	return nil
}

// orDefault returns v, or d when v is 0.
func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// checkClient panics unless client is in 1..clients: a caller numbering
// clients otherwise would break the uniqueness of generated values.
func checkClient(client, clients int) {
	if client < 1 || client > clients {
		panic(fmt.Sprintf("maelstrom: client %d outside 1..%d", client, clients))
	}
}
