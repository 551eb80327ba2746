package checker

// Anomaly kinds of the Maelstrom workloads' checkers (workloads/maelstrom).
// They follow the history checks' kinds, so that one AnomalyKind names
// every violation a check can report.
const (
	// BadEcho: an ok echo reply that does not carry its request's payload.
	BadEcho AnomalyKind = numAnomalyKinds + 1 + iota
	// DuplicateID: two ok unique-id requests returned the same id.
	DuplicateID
	// LostValue: an acknowledged broadcast or set add is missing from a
	// node's final read.
	LostValue
	// UnexpectedValue: a read holds a value no client sent (or one whose
	// send definitely failed).
	UnexpectedValue
	// CounterOutOfBounds: a counter read outside the values the
	// acknowledged and unknown adds allow.
	CounterOutOfBounds
	// LostMessage: an acknowledged Kafka send that polls read past, or
	// final polls read to the end of, without seeing it.
	LostMessage
	// OffsetReuse: two different messages at one offset of a Kafka key.
	OffsetReuse
	// DuplicateMessage: one Kafka message at two offsets.
	DuplicateMessage
	// NonmonotonicOffsets: offsets that fail to rise: within a poll, a
	// poll starting before its requested offset, or a client's successive
	// sends to a key.
	NonmonotonicOffsets
	// SkippedOffset: a poll that jumped over an offset known to exist.
	SkippedOffset
	// CommitInvented: a listed committed offset no client committed.
	CommitInvented
	// CommitRegressed: a listed committed offset below one an earlier
	// listing returned, although nothing committed it since.
	CommitRegressed
	// MalformedReply: an ok reply that is not the workload's reply shape.
	MalformedReply

	// lastAnomalyKind is the highest defined kind.
	lastAnomalyKind = MalformedReply
)

// maelstromAnomalyNames names the kinds from BadEcho on, in order.
var maelstromAnomalyNames = [...]string{
	"bad-echo",              // BadEcho
	"duplicate-id",          // DuplicateID
	"lost-value",            // LostValue
	"unexpected-value",      // UnexpectedValue
	"counter-out-of-bounds", // CounterOutOfBounds
	"lost-message",          // LostMessage
	"offset-reuse",          // OffsetReuse
	"duplicate-message",     // DuplicateMessage
	"nonmonotonic-offsets",  // NonmonotonicOffsets
	"skipped-offset",        // SkippedOffset
	"commit-invented",       // CommitInvented
	"commit-regressed",      // CommitRegressed
	"malformed-reply",       // MalformedReply
}

// kindName returns k's name and whether k is a defined kind.
func kindName(k AnomalyKind) (string, bool) {
	switch {
	case k >= StaleRead && k <= NonLinearizable:
		return anomalyNames[k], true
	case k >= BadEcho && k <= lastAnomalyKind:
		return maelstromAnomalyNames[k-BadEcho], true
	}
	return "", false
}
