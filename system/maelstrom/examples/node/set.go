package node

import (
	"bytes"
	"encoding/json"
)

// Canonical returns v re-encoded in one form (object keys sorted, no
// spaces, numbers as written), so equal JSON values compare equal as
// strings. A value that is not JSON is returned as it is.
func Canonical(v json.RawMessage) string {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return string(v)
	}
	b, err := json.Marshal(x)
	if err != nil {
		return string(v)
	}
	return string(b)
}

// Set is a set of JSON values, kept in the order they were first added.
// It is not safe for concurrent use.
type Set struct {
	index  map[string]bool
	values []json.RawMessage
}

// Add adds v and reports whether it was new.
func (s *Set) Add(v json.RawMessage) bool {
	k := Canonical(v)
	if s.index[k] {
		return false
	}
	if s.index == nil {
		s.index = map[string]bool{}
	}
	s.index[k] = true
	s.values = append(s.values, v)
	return true
}

// Values lists the values; the caller must not change the slice.
func (s *Set) Values() []json.RawMessage {
	if s.values == nil {
		return []json.RawMessage{}
	}
	return s.values[:len(s.values):len(s.values)]
}
