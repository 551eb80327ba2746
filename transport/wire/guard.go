package wire

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// ErrUnsafeType is returned for a type the msgpack library cannot decode
// faithfully: a map whose values are structs holding maps, slices, pointers
// or interfaces. go-msgpack v2 decodes every value of such a map into one
// reused struct, so the decoded entries share their inner maps and slice
// arrays (every entry ends up with the union of all entries' keys). Use
// pointer values (map[K]*T) or flatten the data into slices instead.
var ErrUnsafeType = errors.New("wire: type decodes unfaithfully")

var checked sync.Map // reflect.Type -> error (nil when safe)

// checkType reports whether t is safe to encode and decode, caching the
// answer per type.
func checkType(t reflect.Type) error {
	if t == nil {
		return nil
	}
	if v, ok := checked.Load(t); ok {
		if v == nil {
			return nil
		}
		return v.(error)
	}
	err := walk(t, t.String(), map[reflect.Type]bool{})
	if err == nil {
		checked.Store(t, nil)
	} else {
		checked.Store(t, err)
	}
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
