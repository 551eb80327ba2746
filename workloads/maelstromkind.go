package workloads

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// MaelstromKinds are the workload kinds of Jepsen's Maelstrom, run by
// package workloads/maelstrom against a backend whose clients take
// Maelstrom requests (backend.Invoker).
var MaelstromKinds = []string{"echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter",
	"lin-kv", "kafka", "txn-list-append", "txn-rw-register"}

// IsMaelstrom reports whether kind is one of MaelstromKinds.
func IsMaelstrom(kind string) bool { return slices.Contains(MaelstromKinds, kind) }

// Defaults of a Maelstrom workload's final phase.
const (
	DefaultMaelstromRecovery     = 3 * time.Second
	DefaultMaelstromFinalTimeout = 10 * time.Second
)

// Maelstrom shapes a Maelstrom workload (section workload.maelstrom):
// Maelstrom's own workload options and the final phase after the faults
// heal. Zero fields take the defaults.
type Maelstrom struct {
	// Topology is broadcast's topology: grid (default), line, total,
	// tree2, tree3 or tree4.
	Topology string `yaml:"topology" json:"topology,omitempty"`
	// KeyCount is how many keys lin-kv uses at once and Kafka in all
	// (Maelstrom's --key-count; 0 is the workload's default).
	KeyCount int `yaml:"key_count" json:"key_count,omitempty"`
	// MaxTxnLength bounds a transaction's micro-ops (--max-txn-length).
	MaxTxnLength int `yaml:"max_txn_length" json:"max_txn_length,omitempty"`
	// MaxWritesPerKey bounds the writes any one key takes, over all
	// clients, in lin-kv (writes and cas) and the transactional workloads
	// (writes and appends); a key that reached it is retired for a fresh
	// one (--max-writes-per-key; 0 keeps the workload's own rotation).
	MaxWritesPerKey int `yaml:"max_writes_per_key" json:"max_writes_per_key,omitempty"`
	// Availability is the fraction of the clients' requests that must
	// succeed for the run to be valid: a number in [0, 1], or "total" for
	// all of them (--availability). "" checks none.
	Availability string `yaml:"availability" json:"availability,omitempty"`
	// Recovery is how long the run waits after the faults heal before the
	// final reads (Maelstrom waits 10 s).
	Recovery Duration `yaml:"recovery" json:"recovery"`
	// FinalTimeout bounds the final phase: reads of every node are
	// repeated until they agree or it runs out.
	FinalTimeout Duration `yaml:"final_timeout" json:"final_timeout"`
}

// maelstromDefaults fills a Maelstrom workload's section.
func (w *Workload) maelstromDefaults() {
	if !IsMaelstrom(w.Kind) {
		return
	}
	if w.Maelstrom == nil {
		w.Maelstrom = &Maelstrom{}
	}
	if w.Maelstrom.Recovery == 0 {
		w.Maelstrom.Recovery = Duration(DefaultMaelstromRecovery)
	}
	if w.Maelstrom.FinalTimeout == 0 {
		w.Maelstrom.FinalTimeout = Duration(DefaultMaelstromFinalTimeout)
	}
}

// validMaelstrom checks the maelstrom section against the kind.
func validMaelstrom(e *errs, w *Workload) {
	m := w.Maelstrom
	if m == nil {
		return
	}
	if !IsMaelstrom(w.Kind) {
		e.add("workload.maelstrom", "set, but kind %q is not a Maelstrom workload", w.Kind)
		return
	}
	if m.KeyCount < 0 || m.MaxTxnLength < 0 || m.MaxWritesPerKey < 0 {
		e.add("workload.maelstrom", "key_count %d, max_txn_length %d and max_writes_per_key %d must not be negative",
			m.KeyCount, m.MaxTxnLength, m.MaxWritesPerKey)
	}
	if _, _, err := ParseAvailability(m.Availability); err != nil {
		e.add("workload.maelstrom.availability", "%v", err)
	}
	if m.Recovery < 0 || m.Recovery.D() > time.Hour {
		e.add("workload.maelstrom.recovery", "%v, want in [0, 1h]", m.Recovery)
	}
	if m.FinalTimeout <= 0 || m.FinalTimeout.D() > time.Hour {
		e.add("workload.maelstrom.final_timeout", "%v, want in (0, 1h]", m.FinalTimeout)
	}
}

// ParseAvailability reads an availability goal (Maelstrom's
// --availability): "total" is every request (1), a number a fraction in
// [0, 1]; set is false for "", no goal.
func ParseAvailability(s string) (required float64, set bool, err error) {
	switch s {
	case "":
		return 0, false, nil
	case "total":
		return 1, true, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 0 && f <= 1) {
		return 0, false, fmt.Errorf("availability %q: want a fraction from 0 to 1 (0.99) or total", s)
	}
	return f, true, nil
}
