package wire

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"
)

// ErrUnsafeType is returned for a type the msgpack library cannot decode
// faithfully: a map whose values are structs holding maps, slices, pointers
// or interfaces. go-msgpack v2 decodes every value of such a map into one
// reused struct, so the decoded entries share their inner maps and slice
// arrays (every entry ends up with the union of all entries' keys). Use
// pointer values (map[K]*T) or flatten the data into slices instead.
var ErrUnsafeType = errors.New("wire: type decodes unfaithfully")

// checked caches checkType's verdicts (nil when safe). It is read on every
// encode and decode and written once per type, so it is a map replaced
// whole on a write: a read is an atomic load and a map lookup, cheaper than
// a sync.Map's.
var (
	checked   atomic.Pointer[map[reflect.Type]error]
	checkedMu sync.Mutex // serialises writers
)

// checkType reports whether t is safe to encode and decode, caching the
// answer per type.
func checkType(t reflect.Type) error {
	if t == nil {
		return nil
	}
	if m := checked.Load(); m != nil {
		if err, ok := (*m)[t]; ok {
			return err
		}
	}
	err := walk(t, t.String(), map[reflect.Type]bool{})
	checkedMu.Lock()
	defer checkedMu.Unlock()
	old := checked.Load()
	next := make(map[reflect.Type]error, 1)
	if old != nil {
		next = make(map[reflect.Type]error, len(*old)+1)
		maps.Copy(next, *old)
	}
	next[t] = err
	checked.Store(&next)
	return err
}

// walk looks for an unsafe map anywhere in t; path names where t sits.
func walk(t reflect.Type, path string, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return walk(t.Elem(), path+"[]", seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if err := walk(f.Type, path+"."+f.Name, seen); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v := t.Elem(); v.Kind() == reflect.Struct && holdsReferences(v, map[reflect.Type]bool{}) {
			return fmt.Errorf("%w: %s is %v, a map of structs holding references; use map[%v]*%v",
				ErrUnsafeType, path, t, t.Key(), v)
		}
		return walk(t.Elem(), path+"[value]", seen)
	}
	return nil
}

// holdsReferences reports whether a value of struct type t (exported fields
// only, nested structs and arrays included) holds a map, slice, pointer or
// interface.
func holdsReferences(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface:
		return true
	case reflect.Array:
		return holdsReferences(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && holdsReferences(f.Type, seen) {
				return true
			}
		}
	}
	return false
}
