package checker

import "fmt"

// AnomalyKind classifies what a checker found wrong.
type AnomalyKind uint8

// Anomaly kinds. The first six are the append checker's real-time
// violations (each a cycle of ops); the next four are impossible values; the
// last is porcupine's verdict on a whole key.
const (
	// StaleRead: a read missed an append that had already taken effect when
	// the read began: the append completed before the read was invoked, or
	// a read that saw it completed before this read was invoked.
	StaleRead AnomalyKind = iota + 1
	// FutureRead: a read saw an append that was invoked after the read
	// completed.
	FutureRead
	// LostAppend: an acknowledged append that no read ever saw, although
	// an op that began after it completed was ordered before it (a later
	// read missed it, or a later append was read).
	LostAppend
	// ReorderedAppends: reads show two appends in an order that
	// contradicts real time (the second completed before the first began).
	ReorderedAppends
	// IncomparableReads: two reads of a key of which neither is a prefix of
	// the other; no single order of appends explains both.
	IncomparableReads
	// DuplicateToken: one token appears twice in a read value.
	DuplicateToken
	// NeverWritten: a read contains a token that no client appended to the
	// key.
	NeverWritten
	// FailedAppendRead: a read contains the token of an append whose
	// outcome was fail (definitely not applied).
	FailedAppendRead
	// MalformedRead: a read value that is not a concatenation of tokens.
	MalformedRead
	// NonLinearizable: porcupine found no linearization of a key.
	NonLinearizable

	numAnomalyKinds = iota
)

var anomalyNames = [...]string{
	StaleRead:         "stale-read",
	FutureRead:        "future-read",
	LostAppend:        "lost-append",
	ReorderedAppends:  "reordered-appends",
	IncomparableReads: "incomparable-reads",
	DuplicateToken:    "duplicate-token",
	NeverWritten:      "never-written",
	FailedAppendRead:  "failed-append-read",
	MalformedRead:     "malformed-read",
	NonLinearizable:   "non-linearizable",
}

// String returns the kind's kebab-case name, used as a JSON key.
func (k AnomalyKind) String() string {
	if name, ok := kindName(k); ok {
		return name
	}
	return fmt.Sprintf("AnomalyKind(%d)", uint8(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k AnomalyKind) MarshalText() ([]byte, error) {
	name, ok := kindName(k)
	if !ok {
		return nil, fmt.Errorf("invalid anomaly kind %d", uint8(k))
	}
	return []byte(name), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *AnomalyKind) UnmarshalText(b []byte) error {
	for c := StaleRead; c <= lastAnomalyKind; c++ {
		if name, _ := kindName(c); name == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown anomaly kind %q", b)
}

// Anomaly is one explained violation: an example of its kind on one key.
type Anomaly struct {
	Kind AnomalyKind `json:"kind"`
	Key  string      `json:"key"`
	// Text explains it in plain words, for example "read by client 5 at
	// 12.301 s missed append c3.s17; (client 3), which completed at
	// 12.200 s".
	Text string `json:"text"`
	// Steps lists the ops involved. For a real-time violation they form a
	// cycle of the precedence graph: each step must precede the next, and
	// the last must precede the first, which is impossible.
	Steps []Step `json:"steps,omitempty"`

	// at orders examples: the earliest invocation among the steps.
	at int64
	// cycle is set for real-time violations (the steps form a cycle).
	cycle bool
}

// Step is one op of an anomaly.
type Step struct {
	// Op indexes the op in the slice given to the checker.
	Op int `json:"op"`
	// Desc describes the op: client, kind, times and what it saw.
	Desc string `json:"desc"`
	// Then says why this op precedes the next step of the cycle (the last
	// step's reason points back to the first); empty outside cycles.
	Then string `json:"then,omitempty"`
}

// String renders the anomaly on several lines: the text, then the cycle.
func (a Anomaly) String() string {
	s := fmt.Sprintf("%s on key %q: %s", a.Kind, a.Key, a.Text)
	for i, st := range a.Steps {
		s += fmt.Sprintf("\n  %d. op %d: %s", i+1, st.Op, st.Desc)
		if st.Then != "" {
			s += "\n     -> " + st.Then
		}
	}
	return s
}
