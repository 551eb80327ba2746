package history

import "fmt"

// RecordType says which kind of record a history line holds.
type RecordType uint8

// Record types.
const (
	// OpRecord is a client operation ("type":"op").
	OpRecord RecordType = iota + 1
	// EventRecord is a fault or other event ("type":"event").
	EventRecord
)

// String returns "op" or "event", the values of the "type" field.
func (t RecordType) String() string {
	switch t {
	case OpRecord:
		return "op"
	case EventRecord:
		return "event"
	}
	return fmt.Sprintf("RecordType(%d)", uint8(t))
}

// Record is one line of a history stream: an Op or an Event, as Type says.
type Record struct {
	Type  RecordType
	Op    Op
	Event Event
}

// wireOp and wireEvent are the line layouts; "type" comes first so that the
// reader can dispatch on a prefix without decoding twice.
type wireOp struct {
	Type string `json:"type"`
	Op
}

type wireEvent struct {
	Type string `json:"type"`
	Event
}
