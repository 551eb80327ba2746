package checker

import (
	"fmt"

	"github.com/anishathalye/porcupine"

	"faultline/workloads/history"
)

// Input is the input of an operation in the KV and register models.
type Input struct {
	Kind   history.Kind
	Key    string
	Value  string // put, append, write: the argument; cas: the new value
	Expect string // cas: the value compared against
	// Unknown marks an op whose outcome is info: it may or may not have
	// taken effect, and its output is meaningless.
	Unknown bool
}

// KVModel is porcupine's model of one key of a key/value store with Get,
// Put and Append on string values, starting from "" (a missing key reads as
// ""). Inputs are Input; outputs are the string a Get returned (ignored for
// Put and Append). Partition splits a history by Input.Key, so the model
// also checks multi-key histories when given to porcupine directly. It is
// the project's one KV model: CheckKV uses it, and so do the lab tests of
// the key/value services (through internal/kvcheck).
func KVModel() porcupine.Model {
	return stringModel(func(st string, in Input, output any) (bool, string) {
		switch in.Kind {
		case history.Get:
			return output.(string) == st, st
		case history.Put:
			return true, in.Value
		case history.Append:
			return true, st + in.Value
		}
		return false, st
	})
}

// RegisterModel is porcupine's model of a Jepsen cas-register: read, write
// and compare-and-set on one value per key, starting from "" (Jepsen's nil).
// An ok cas found the expected value and swapped it; a cas with unknown
// outcome swaps if the value matched when it took effect, else does
// nothing. Partition splits by Input.Key (Jepsen's independent keys).
func RegisterModel() porcupine.Model {
	return stringModel(func(st string, in Input, output any) (bool, string) {
		switch in.Kind {
		case history.Read:
			return output.(string) == st, st
		case history.Write:
			return true, in.Value
		case history.CAS:
			if st == in.Expect {
				return true, in.Value
			}
			return in.Unknown, st
		}
		return false, st
	})
}

// stringModel is a porcupine model of one string value per key, starting
// from "", moved by step; its inputs are Input, partitioned by Input.Key.
func stringModel(step func(st string, in Input, output any) (bool, string)) porcupine.Model {
	return porcupine.Model{
		Partition: partitionByKey,
		Init:      func() any { return "" },
		Step: func(state, input, output any) (bool, any) {
			return step(state.(string), input.(Input), output)
		},
		Equal:             func(a, b any) bool { return a.(string) == b.(string) },
		Hash:              hashState,
		DescribeOperation: describeOp,
		DescribeState:     func(s any) string { return snippet(s.(string)) },
	}
}

// hashState hashes a string state (FNV-1a over its length and bytes). Long append values hash by length and
// tail, which keeps the hash O(1) while still separating distinct orders.
func hashState(state any) uint64 {
	const prime = 1099511628211
	s := state.(string)
	h := uint64(14695981039346656037) ^ uint64(len(s))*prime
	if len(s) > 256 {
		s = s[len(s)-256:]
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * prime
	}
	return h
}

func describeOp(input, output any) string {
	in := input.(Input)
	var s string
	switch in.Kind {
	case history.Get, history.Read:
		s = fmt.Sprintf("%s(%q) -> %s", in.Kind, in.Key, snippet(output.(string)))
	case history.CAS:
		s = fmt.Sprintf("cas(%q, %s, %s)", in.Key, snippet(in.Expect), snippet(in.Value))
	default:
		s = fmt.Sprintf("%s(%q, %s)", in.Kind, in.Key, snippet(in.Value))
	}
	if in.Unknown {
		s += " ?"
	}
	return s
}

func partitionByKey(ops []porcupine.Operation) [][]porcupine.Operation {
	idx := map[string]int{}
	var out [][]porcupine.Operation
	for _, op := range ops {
		k := op.Input.(Input).Key
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], op)
	}
	return out
}
