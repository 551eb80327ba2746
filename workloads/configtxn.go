package workloads

import (
	"math"
	"slices"
	"strings"
)

// Transactional workload kinds, in the manner of Jepsen's Elle: run
// through a backend whose clients take transactions (backend.PowerTxn)
// and checked by the Elle-style isolation checker (workloads/checker/elle).
const (
	// KindListAppend has transactions of reads and appends of unique
	// integers to lists.
	KindListAppend = "list-append"
	// KindRWRegister has transactions of reads and writes of unique
	// integers to registers.
	KindRWRegister = "rw-register"
)

// TxnKinds are the transactional workload kinds.
var TxnKinds = []string{KindListAppend, KindRWRegister}

// IsTxn reports whether kind is one of TxnKinds.
func IsTxn(kind string) bool { return slices.Contains(TxnKinds, kind) }

// DistExponential picks the active keys of a transactional workload with
// probability growing by Txn.KeyDistBase per key (Elle's default).
const DistExponential = "exponential"

// Defaults of a transactional workload (Elle's).
const (
	DefaultTxnKeys         = 3
	DefaultMinTxnLength    = 1
	DefaultMaxTxnLength    = 4
	DefaultMaxWritesPerKey = 32
	DefaultKeyDistBase     = 2
	DefaultTxnModel        = "strict-serializable"
)

// TxnModels are the consistency models a transactional workload may be
// checked against (workloads/checker/elle's), strongest first.
var TxnModels = []string{"strict-serializable", "strong-session-serializable", "serializable", "snapshot-isolation",
	"repeatable-read", "read-committed", "read-uncommitted"}

// Txn shapes a transactional workload (section workload.txn). Beside it,
// workload.keys is the number of keys active at a time, workload.
// read_fraction the share of micro-ops that are reads, and workload.
// distribution how active keys are picked: "exponential" (the default)
// or "uniform". Zero fields take the defaults.
type Txn struct {
	// MinTxnLength and MaxTxnLength bound the micro-ops of a transaction
	// (a transaction touches at most that many keys, and at most
	// workload.keys).
	MinTxnLength int `yaml:"min_txn_length" json:"min_txn_length"`
	MaxTxnLength int `yaml:"max_txn_length" json:"max_txn_length"`
	// MaxWritesPerKey retires an active key after that many writes for a
	// fresh one (key rotation): reads stay short and cycles local.
	MaxWritesPerKey int `yaml:"max_writes_per_key" json:"max_writes_per_key"`
	// KeyDistBase is the exponential distribution's base (> 1).
	KeyDistBase float64 `yaml:"key_dist_base" json:"key_dist_base"`
	// Models are the consistency models the history must satisfy (default
	// strict-serializable); an anomaly any of them prohibits makes the run
	// invalid.
	Models []string `yaml:"models" json:"models"`
}

// txnDefaults fills a transactional workload's fields; it runs before the
// generic defaults.
func (w *Workload) txnDefaults() {
	if !IsTxn(w.Kind) {
		return
	}
	if w.Txn == nil {
		w.Txn = &Txn{}
	}
	t := w.Txn
	if w.Keys == 0 {
		w.Keys = DefaultTxnKeys
	}
	if w.Distribution == "" {
		w.Distribution = DistExponential
	}
	if w.ReadFraction == nil {
		f := 0.5
		w.ReadFraction = &f
	}
	if t.MinTxnLength == 0 {
		t.MinTxnLength = DefaultMinTxnLength
	}
	if t.MaxTxnLength == 0 {
		t.MaxTxnLength = max(DefaultMaxTxnLength, t.MinTxnLength)
	}
	if t.MaxWritesPerKey == 0 {
		t.MaxWritesPerKey = DefaultMaxWritesPerKey
	}
	if t.KeyDistBase == 0 {
		t.KeyDistBase = DefaultKeyDistBase
	}
	if len(t.Models) == 0 {
		t.Models = []string{DefaultTxnModel}
	}
}

// MaxTxnLength bounds a transaction's micro-ops.
const MaxTxnLength = 1000

// validTxn checks the txn section against the kind, and the generic
// fields a transactional workload reads differently.
func validTxn(e *errs, w *Workload) {
	t := w.Txn
	if t == nil {
		return
	}
	if !IsTxn(w.Kind) {
		e.add("workload.txn", "set, but kind %q is not a transactional workload (%s)", w.Kind, strings.Join(TxnKinds, ", "))
		return
	}
	if t.MinTxnLength < 1 || t.MinTxnLength > MaxTxnLength {
		e.add("workload.txn.min_txn_length", "%d, want 1 to %d", t.MinTxnLength, MaxTxnLength)
	}
	if t.MaxTxnLength < t.MinTxnLength || t.MaxTxnLength > MaxTxnLength {
		e.add("workload.txn.max_txn_length", "%d, want min_txn_length (%d) to %d", t.MaxTxnLength, t.MinTxnLength, MaxTxnLength)
	}
	if t.MaxWritesPerKey < 1 {
		e.add("workload.txn.max_writes_per_key", "%d, want >= 1", t.MaxWritesPerKey)
	}
	if !(t.KeyDistBase > 1) || math.IsInf(t.KeyDistBase, 0) {
		e.add("workload.txn.key_dist_base", "%v, want a number > 1", t.KeyDistBase)
	}
	for i, m := range t.Models {
		if !slices.Contains(TxnModels, m) {
			e.add("workload.txn.models", "models[%d] %q, want one of %s", i, m, strings.Join(TxnModels, ", "))
		}
	}
	if w.Keys > 10_000 {
		e.add("workload.keys", "%d active keys: a transactional workload's keys are the ones active at a time; want 1 to 10000", w.Keys)
	}
}
