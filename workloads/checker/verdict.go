package checker

import (
	"cmp"
	"fmt"
)

// Verdict is the outcome of a check, of a run's checks merged, or of a
// whole run. It is Faultline's one verdict type: the checkers, the runner,
// results.json, the reports and the bench exit status all use it. The zero
// value is Unknown, so that a result nobody filled in never reads as valid.
// Its text form ("unknown", "valid", "invalid", "failed") is what
// results.json holds.
type Verdict uint8

// Verdicts, from the zero value up; see Merge for their order.
const (
	// Unknown: the check could not decide (a time limit was reached, nothing
	// was checked).
	Unknown Verdict = iota
	// Valid: the history (or output) is correct.
	Valid
	// Invalid: a violation was found; the result explains it.
	Invalid
	// Failed: the run itself failed, so nothing could be checked. Only a
	// run has this verdict, never a check.
	Failed
)

var verdictNames = [...]string{Unknown: "unknown", Valid: "valid", Invalid: "invalid", Failed: "failed"}

// String returns "unknown", "valid", "invalid" or "failed".
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// MarshalText implements encoding.TextMarshaler.
func (v Verdict) MarshalText() ([]byte, error) {
	if int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("invalid verdict %d", uint8(v))
	}
	return []byte(verdictNames[v]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Verdict) UnmarshalText(b []byte) error {
	for c, name := range verdictNames {
		if name == string(b) {
			*v = Verdict(c)
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// rank orders verdicts for merging: valid < unknown < invalid < failed.
func (v Verdict) rank() int {
	switch v {
	case Valid:
		return 0
	case Unknown:
		return 1
	case Invalid:
		return 2
	}
	return 3
}

// Merge combines two verdicts as Jepsen's checker compose does: invalid
// over unknown over valid (and a failed run over everything).
func (v Verdict) Merge(w Verdict) Verdict {
	if w.rank() > v.rank() {
		return w
	}
	return v
}

// Compare orders v and w as Merge does, from best to worst: it returns
// -1 when v is better than w (valid before unknown before invalid before
// failed), +1 when worse, 0 when equal.
func (v Verdict) Compare(w Verdict) int { return cmp.Compare(v.rank(), w.rank()) }

// MergeAll merges any number of verdicts. Merging none is Unknown: nothing
// checked is not valid.
func MergeAll(vs ...Verdict) Verdict {
	if len(vs) == 0 {
		return Unknown
	}
	v := vs[0]
	for _, w := range vs[1:] {
		v = v.Merge(w)
	}
	return v
}

// ExitCode maps the verdict to the harness's exit status: 0 valid,
// 1 invalid, 2 unknown, 3 failed.
func (v Verdict) ExitCode() int {
	switch v {
	case Valid:
		return 0
	case Invalid:
		return 1
	case Unknown:
		return 2
	}
	return 3
}

// Compose merges the verdicts of several checks of one history, as
// MergeAll: composing no results is Unknown.
func Compose(results ...Result) Verdict {
	vs := make([]Verdict, len(results))
	for i := range results {
		vs[i] = results[i].Verdict
	}
	return MergeAll(vs...)
}
