package history

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Op is one client operation, from invocation to completion.
type Op struct {
	// Client identifies the client (worker) that issued the operation.
	// A client issues one operation at a time.
	Client int `json:"client"`
	// Kind is what the operation does.
	Kind Kind `json:"kind"`
	// Key is the key or register name ("" for a single register).
	Key string `json:"key"`
	// Value is the argument: the value put, appended or written, or the new
	// value of a cas.
	Value string `json:"value,omitempty"`
	// Expect is the value a cas compares against.
	Expect string `json:"expect,omitempty"`
	// Output is what a read returned; meaningful only when Outcome is OK.
	Output string `json:"output,omitempty"`
	// Invoke is when the client issued the operation, in monotonic
	// nanoseconds since the start of the run.
	Invoke int64 `json:"invoke"`
	// Complete is when the client learnt the outcome (for Info, when it
	// stopped waiting). Complete >= Invoke.
	Complete int64 `json:"complete"`
	// Outcome says whether the operation took effect.
	Outcome Outcome `json:"outcome"`
	// Node names the node that served the operation, if known.
	Node string `json:"node,omitempty"`
	// Error is the error text for Fail and Info outcomes.
	Error string `json:"error,omitempty"`
}

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("invalid record")

// Validate checks that op has a defined kind and outcome, non-negative times
// with Complete >= Invoke, a non-negative client, Expect only on cas, and
// valid UTF-8 in every string (so that it survives JSON).
func (op *Op) Validate() error {
	switch {
	case !op.Kind.Valid():
		return fmt.Errorf("%w: op kind %d", ErrInvalid, uint8(op.Kind))
	case !op.Outcome.Valid():
		return fmt.Errorf("%w: op outcome %d", ErrInvalid, uint8(op.Outcome))
	case op.Client < 0:
		return fmt.Errorf("%w: client %d < 0", ErrInvalid, op.Client)
	case op.Invoke < 0:
		return fmt.Errorf("%w: invoke %d < 0", ErrInvalid, op.Invoke)
	case op.Complete < op.Invoke:
		return fmt.Errorf("%w: complete %d before invoke %d", ErrInvalid, op.Complete, op.Invoke)
	case op.Expect != "" && op.Kind != CAS:
		return fmt.Errorf("%w: expect set on a %s", ErrInvalid, op.Kind)
	}
	for _, f := range [...]struct{ name, v string }{
		{"key", op.Key}, {"value", op.Value}, {"expect", op.Expect},
		{"output", op.Output}, {"node", op.Node}, {"error", op.Error},
	} {
		if !utf8.ValidString(f.v) {
			return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, f.name)
		}
	}
	return nil
}

// String describes op on one line, for logs and test failures.
func (op Op) String() string {
	s := fmt.Sprintf("c%d %s %q", op.Client, op.Kind, op.Key)
	switch op.Kind {
	case CAS:
		s += fmt.Sprintf(" %q->%q", op.Expect, op.Value)
	case Put, Append, Write:
		s += fmt.Sprintf(" %q", op.Value)
	}
	s += fmt.Sprintf(" [%d,%d] %s", op.Invoke, op.Complete, op.Outcome)
	if op.Kind.Reads() && op.Outcome == OK {
		s += fmt.Sprintf(" -> %q", op.Output)
	}
	return s
}
