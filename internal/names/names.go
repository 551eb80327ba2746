package names

import "strconv"

// Enum is the underlying type of an enumeration that Of can name.
type Enum interface {
	~int | ~int8 | ~uint8
}

// Of returns the name of v in an enumeration whose constants run from
// first upwards, one name each in order: names[v-first]. A value outside
// them reads typ(N), e.g. "OpKind(9)", as stringer would write it.
func Of[T Enum](v T, typ string, first T, names ...string) string {
	if i := int(v) - int(first); i >= 0 && i < len(names) {
		return names[i]
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}
