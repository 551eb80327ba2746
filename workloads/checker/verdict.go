package checker

import "fmt"

// Verdict is the outcome of a check. The zero value is Unknown, so that a
// result nobody filled in never reads as valid.
type Verdict uint8

// Verdicts.
const (
	// Unknown: the check could not decide (a time limit was reached).
	Unknown Verdict = iota
	// Valid: the history is linearizable.
	Valid
	// Invalid: the history is not linearizable; the result explains why.
	Invalid
)

// String returns "unknown", "valid" or "invalid".
func (v Verdict) String() string {
	switch v {
	case Unknown:
		return "unknown"
	case Valid:
		return "valid"
	case Invalid:
		return "invalid"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// MarshalText implements encoding.TextMarshaler.
func (v Verdict) MarshalText() ([]byte, error) {
	if v > Invalid {
		return nil, fmt.Errorf("invalid verdict %d", uint8(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Verdict) UnmarshalText(b []byte) error {
	for _, c := range [...]Verdict{Unknown, Valid, Invalid} {
		if c.String() == string(b) {
			*v = c
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// rank orders verdicts for merging: invalid over unknown over valid.
func (v Verdict) rank() int {
	switch v {
	case Valid:
		return 0
	case Unknown:
		return 1
	}
	return 2
}

// Merge combines two verdicts as Jepsen's checker compose does: invalid
// over unknown over valid.
func (v Verdict) Merge(w Verdict) Verdict {
	if w.rank() > v.rank() {
		return w
	}
	return v
}

// ExitCode maps the verdict to the harness's exit status: 0 valid,
// 1 invalid, 2 unknown.
func (v Verdict) ExitCode() int {
	switch v {
	case Valid:
		return 0
	case Invalid:
		return 1
	}
	return 2
}

// Compose merges the verdicts of several checks of one history. Composing
// no results is Valid, the identity of Merge.
func Compose(results ...Result) Verdict {
	v := Valid
	for i := range results {
		v = v.Merge(results[i].Verdict)
	}
	return v
}
