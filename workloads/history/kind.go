package history

import "fmt"

// Kind is the kind of an operation.
type Kind uint8

// Operation kinds. The zero value is invalid, so that a record missing its
// kind is caught.
const (
	// Get reads a key of a key/value store; Output is the value ("" when
	// the key is absent).
	Get Kind = iota + 1
	// Put sets a key to Value.
	Put
	// Append appends Value to the key's value.
	Append
	// Read reads a register; Output is its value ("" for the initial, nil
	// value).
	Read
	// Write sets a register to Value.
	Write
	// CAS sets a register to Value if it holds Expect. An OK cas took
	// effect; a cas whose comparison failed is recorded with outcome Fail.
	CAS
)

var kindNames = [...]string{
	Get:    "get",
	Put:    "put",
	Append: "append",
	Read:   "read",
	Write:  "write",
	CAS:    "cas",
}

// String returns the lower-case name used in history files ("get", "cas").
func (k Kind) String() string {
	if k >= Get && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool { return k >= Get && k <= CAS }

// Reads reports whether k only observes state (Get or Read).
func (k Kind) Reads() bool { return k == Get || k == Read }

// ParseKind returns the Kind named s, as written by Kind.String.
func ParseKind(s string) (Kind, error) {
	for k := Get; k <= CAS; k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown op kind %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, fmt.Errorf("invalid op kind %d", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Outcome says whether an operation took effect.
type Outcome uint8

// Outcomes, as in Jepsen. The zero value is invalid.
const (
	// OK: the operation took effect; Output holds its result.
	OK Outcome = iota + 1
	// Fail: the operation definitely did not take effect.
	Fail
	// Info: unknown; the operation may take effect at any time after its
	// invocation.
	Info
)

var outcomeNames = [...]string{OK: "ok", Fail: "fail", Info: "info"}

// String returns "ok", "fail" or "info".
func (o Outcome) String() string {
	if o >= OK && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Valid reports whether o is one of the defined outcomes.
func (o Outcome) Valid() bool { return o >= OK && o <= Info }

// ParseOutcome returns the Outcome named s, as written by Outcome.String.
func ParseOutcome(s string) (Outcome, error) {
	for o := OK; o <= Info; o++ {
		if outcomeNames[o] == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("unknown outcome %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (o Outcome) MarshalText() ([]byte, error) {
	if !o.Valid() {
		return nil, fmt.Errorf("invalid outcome %d", uint8(o))
	}
	return []byte(outcomeNames[o]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}
