package history

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
	// Call is a request of a workload beyond key/value ones (Maelstrom's
	// echo, broadcast, kafka, ...): Key is the request's type ("broadcast"),
	// Value its JSON-encoded fields, Output the JSON-encoded body of the
	// reply. Its workload's checker gives it meaning.
	Call
)

var kindNames = enum[Kind]{typ: "Kind", what: "op kind", names: []string{
	Get:    "get",
	Put:    "put",
	Append: "append",
	Read:   "read",
	Write:  "write",
	CAS:    "cas",
	Call:   "call",
}}

// String returns the lower-case name used in history files ("get", "cas").
func (k Kind) String() string { return kindNames.name(k) }

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool { return kindNames.valid(k) }

// Reads reports whether k only observes state (Get or Read).
func (k Kind) Reads() bool { return k == Get || k == Read }

// ParseKind returns the Kind named s, as written by Kind.String.
func ParseKind(s string) (Kind, error) { return kindNames.parse(s) }

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return kindNames.marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error { return kindNames.unmarshal(k, b) }

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

var outcomeNames = enum[Outcome]{typ: "Outcome", what: "outcome", names: []string{OK: "ok", Fail: "fail", Info: "info"}}

// String returns "ok", "fail" or "info".
func (o Outcome) String() string { return outcomeNames.name(o) }

// Valid reports whether o is one of the defined outcomes.
func (o Outcome) Valid() bool { return outcomeNames.valid(o) }

// ParseOutcome returns the Outcome named s, as written by Outcome.String.
func ParseOutcome(s string) (Outcome, error) { return outcomeNames.parse(s) }

// MarshalText implements encoding.TextMarshaler.
func (o Outcome) MarshalText() ([]byte, error) { return outcomeNames.marshal(o) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Outcome) UnmarshalText(b []byte) error { return outcomeNames.unmarshal(o, b) }
