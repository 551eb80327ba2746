package history

import (
	"fmt"
	"strings"
)

// MopKind is the kind of one micro-operation of a transaction.
type MopKind uint8

// Micro-operation kinds, as in Jepsen's transactional workloads. The zero
// value is invalid.
const (
	// MopRead reads a key: a list (list-append) or a register value.
	MopRead MopKind = iota + 1
	// MopAppend appends Value to the list at Key (list-append).
	MopAppend
	// MopWrite sets the register at Key to Value (rw-register).
	MopWrite
)

var mopNames = enum[MopKind]{typ: "MopKind", what: "micro-op kind", names: []string{
	MopRead: "r", MopAppend: "append", MopWrite: "w",
}}

// String returns Jepsen's name of the kind: "r", "append" or "w".
func (k MopKind) String() string { return mopNames.name(k) }

// Valid reports whether k is one of the defined kinds.
func (k MopKind) Valid() bool { return mopNames.valid(k) }

// Mop is one micro-operation of a transaction. Keys are indexes into the
// Txns' key table and values are integers, so that a long history is held
// compactly and checked without string comparisons.
type Mop struct {
	Kind MopKind
	// Nil marks a read whose result is nil: unknown for a read that never
	// completed, the initial state for a register read that completed. A
	// list read of nil is the empty list.
	Nil bool
	// IsList marks a list read (list-append), whose result is List.
	IsList bool
	// Key indexes Txns.Keys.
	Key int32
	// Value is the value appended or written, or the value a register read
	// returned (when not Nil).
	Value int64
	// List is what a list read returned, oldest element first.
	List []int64
}

// Txn is one transaction from invocation to completion. Its Mops carry the
// completion's results when Outcome is OK, and the invocation's arguments
// otherwise.
type Txn struct {
	// Process is the Jepsen process (the client) that ran the transaction.
	Process int
	// Index is the completion's position in the source history (Jepsen's
	// :index when present), for pointing users back at their file.
	Index int64
	// Invoke and Complete order transactions in real time: a precedes b
	// when a.Complete < b.Invoke. An Info transaction never completes.
	Invoke, Complete int64
	Outcome          Outcome
	Mops             []Mop
}

// Txns is a transactional history: list-append or rw-register.
type Txns struct {
	// Keys names the keys the mops index, as their source text (":x", "3").
	Keys []string
	// Txns holds the transactions in completion order.
	Txns []Txn
}

// Kind names the workload of the history: "list-append" when it appends
// or reads lists, "rw-register" when it writes or reads single values,
// "" when it cannot tell (or, wrongly, both; Validate rejects mixing
// appends and writes).
func (h *Txns) Kind() string {
	var lists, registers bool
	for i := range h.Txns {
		for _, m := range h.Txns[i].Mops {
			switch {
			case m.Kind == MopAppend || m.IsList:
				lists = true
			case m.Kind == MopWrite || (m.Kind == MopRead && !m.Nil):
				registers = true
			}
		}
	}
	switch {
	case lists && !registers:
		return "list-append"
	case registers && !lists:
		return "rw-register"
	}
	return ""
}

// Validate checks every transaction: a defined outcome, Complete >=
// Invoke, defined mop kinds, keys inside the key table, and a history
// that does not mix appends with register writes.
func (h *Txns) Validate() error {
	var appends, writes bool
	for i := range h.Txns {
		t := &h.Txns[i]
		switch {
		case !t.Outcome.Valid():
			return fmt.Errorf("%w: txn %d: outcome %d", ErrInvalid, i, uint8(t.Outcome))
		case t.Complete < t.Invoke:
			return fmt.Errorf("%w: txn %d: complete %d before invoke %d", ErrInvalid, i, t.Complete, t.Invoke)
		}
		for j, m := range t.Mops {
			if !m.Kind.Valid() {
				return fmt.Errorf("%w: txn %d mop %d: kind %d", ErrInvalid, i, j, uint8(m.Kind))
			}
			if m.Key < 0 || int(m.Key) >= len(h.Keys) {
				return fmt.Errorf("%w: txn %d mop %d: key %d outside the %d keys", ErrInvalid, i, j, m.Key, len(h.Keys))
			}
			appends = appends || m.Kind == MopAppend
			writes = writes || m.Kind == MopWrite
		}
	}
	if appends && writes {
		return fmt.Errorf("%w: the history mixes list appends and register writes", ErrInvalid)
	}
	return nil
}

// MopString renders m in Jepsen's notation: [:append :x 3], [:r :x [1 2]].
func (h *Txns) MopString(m Mop) string {
	key := fmt.Sprint(m.Key)
	if int(m.Key) >= 0 && int(m.Key) < len(h.Keys) {
		key = h.Keys[m.Key]
	}
	switch {
	case m.Kind != MopRead:
		return fmt.Sprintf("[:%s %s %d]", m.Kind, key, m.Value)
	case m.Nil:
		return fmt.Sprintf("[:r %s nil]", key)
	case m.IsList:
		var b strings.Builder
		for i, v := range m.List {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprint(&b, v)
		}
		return fmt.Sprintf("[:r %s [%s]]", key, b.String())
	}
	return fmt.Sprintf("[:r %s %d]", key, m.Value)
}

// TxnString renders t's mops in Jepsen's notation.
func (h *Txns) TxnString(t *Txn) string {
	parts := make([]string, len(t.Mops))
	for i, m := range t.Mops {
		parts[i] = h.MopString(m)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
