package history

import (
	"fmt"
	"unicode/utf8"
)

// Open is the Stop time of a fault that was still active when the history
// ended.
const Open int64 = -1

// Event is a fault window or a point event injected or observed by the
// harness (a partition, a kill, a pause, a membership change). Reports shade
// [Start, Stop] beside the operations.
type Event struct {
	// Kind names the fault or event ("partition", "kill", "pause"); the
	// chaos package owns the vocabulary.
	Kind string `json:"kind"`
	// Start is when the event began, in run nanoseconds.
	Start int64 `json:"start"`
	// Stop is when it was healed (Stop == Start for a point event), or Open.
	Stop int64 `json:"stop"`
	// Nodes lists the nodes it touched.
	Nodes []string `json:"nodes,omitempty"`
	// Desc describes it in words.
	Desc string `json:"desc,omitempty"`
}

// Validate checks that e has a kind, a non-negative start and a stop that is
// Open or not before the start, and valid UTF-8 strings.
func (e *Event) Validate() error {
	switch {
	case e.Kind == "":
		return fmt.Errorf("%w: event without kind", ErrInvalid)
	case e.Start < 0:
		return fmt.Errorf("%w: event start %d < 0", ErrInvalid, e.Start)
	case e.Stop != Open && e.Stop < e.Start:
		return fmt.Errorf("%w: event stop %d before start %d", ErrInvalid, e.Stop, e.Start)
	case !utf8.ValidString(e.Kind) || !utf8.ValidString(e.Desc):
		return fmt.Errorf("%w: event text is not valid UTF-8", ErrInvalid)
	}
	for _, n := range e.Nodes {
		if !utf8.ValidString(n) {
			return fmt.Errorf("%w: event node is not valid UTF-8", ErrInvalid)
		}
	}
	return nil
}

// Active reports whether the event covers time t (an Open event covers every
// time from its start).
func (e *Event) Active(t int64) bool {
	return t >= e.Start && (e.Stop == Open || t <= e.Stop)
}
