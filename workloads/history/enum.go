package history

import "fmt"

// enum is the name table of a small enumeration whose zero value is
// invalid: names[v] is the text of value v, for v from 1 on. It gives Kind
// and Outcome their String, Valid, Parse and text (un)marshalling once.
type enum[T ~uint8] struct {
	typ   string   // the Go type's name, for String of an unknown value
	what  string   // what a value is, for error messages
	names []string // indexed by value; names[0] is unused
}

func (e enum[T]) valid(v T) bool { return v >= 1 && int(v) < len(e.names) }

func (e enum[T]) name(v T) string {
	if e.valid(v) {
		return e.names[v]
	}
	return fmt.Sprintf("%s(%d)", e.typ, uint8(v))
}

func (e enum[T]) parse(s string) (T, error) {
	if v, ok := e.lookup([]byte(s)); ok {
		return v, nil
	}
	return 0, fmt.Errorf("unknown %s %q", e.what, s)
}

// lookup returns the value named b, without allocating.
func (e enum[T]) lookup(b []byte) (T, bool) {
	for v := 1; v < len(e.names); v++ {
		if e.names[v] == string(b) {
			return T(v), true
		}
	}
	return 0, false
}

func (e enum[T]) marshal(v T) ([]byte, error) {
	if !e.valid(v) {
		return nil, fmt.Errorf("invalid %s %d", e.what, uint8(v))
	}
	return []byte(e.names[v]), nil
}

func (e enum[T]) unmarshal(dst *T, b []byte) error {
	v, err := e.parse(string(b))
	if err != nil {
		return err
	}
	*dst = v
	return nil
}
