package gen

import "fmt"

// Kind is the type of a generated op.
type Kind uint8

// Op kinds. RMW is a Get followed by a Put of the same key by the same
// client (YCSB F); the runner records it as those two ops.
const (
	Get Kind = iota + 1
	Put
	Append
	RMW
)

var kindNames = [...]string{Get: "get", Put: "put", Append: "append", RMW: "rmw"}

// String names the kind as results do ("get").
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Kinds lists every kind in order.
func Kinds() []Kind { return []Kind{Get, Put, Append, RMW} }

// Op is one generated operation. Value is the value to write (Put, Append,
// the Put of an RMW); it is unique across the run.
type Op struct {
	Kind  Kind
	Key   string
	Value string
}
