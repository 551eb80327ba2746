package wire

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// ErrUnregistered is returned by DecodeAny for a type name that no Register
// call (and no EncodeAny in this process) has made known.
var ErrUnregistered = errors.New("wire: unregistered type")

var registry = struct {
	sync.RWMutex
	byName map[string]reflect.Type
	byType map[reflect.Type]string
}{byName: map[string]reflect.Type{}, byType: map[reflect.Type]string{}}

func init() {
	for _, v := range []any{
		int(0), int8(0), int16(0), int32(0), int64(0),
		uint(0), uint8(0), uint16(0), uint32(0), uint64(0),
		float32(0), float64(0), bool(false), string(""), []byte(nil),
		[]string(nil), []int(nil), map[string]string(nil),
	} {
		Register(v)
	}
}

// Register makes the dynamic type of v known by name, so that DecodeAny can
// rebuild values of it in this process. Like labgob.Register, every process
// that decodes a type must register it; EncodeAny also registers the types it
// encodes. Registering the same type twice is harmless; two different types
// under one name panic (a programming error).
func Register(v any) {
	t := reflect.TypeOf(v)
	if t == nil {
		panic("wire: Register(nil)")
	}
	RegisterName(typeName(t), v)
}

// RegisterName is Register under an explicit name.
func RegisterName(name string, v any) {
	t := reflect.TypeOf(v)
	if t == nil {
		panic("wire: RegisterName(nil)")
	}
	registry.Lock()
	defer registry.Unlock()
	if old, ok := registry.byName[name]; ok && old != t {
		panic(fmt.Sprintf("wire: name %q registered for both %v and %v", name, old, t))
	}
	registry.byName[name] = t
	if _, ok := registry.byType[t]; !ok {
		registry.byType[t] = name
	}
}

func typeName(t reflect.Type) string {
	if t.Name() != "" && t.PkgPath() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

func nameOf(t reflect.Type) string {
	registry.RLock()
	name, ok := registry.byType[t]
	registry.RUnlock()
	if ok {
		return name
	}
	name = typeName(t)
	RegisterName(name, reflect.Zero(t).Interface())
	return name
}

// typed is the encoded form of a value held in an interface.
type typed struct {
	T string
	V []byte
}

// EncodeAny encodes v together with the name of its dynamic type, so that
// DecodeAny returns a value of the same type (an int comes back an int, a
// struct comes back that struct, not a map). nil encodes as an empty name.
func EncodeAny(v any) ([]byte, error) {
	var tv typed
	if v != nil {
		tv.T = nameOf(reflect.TypeOf(v))
		b, err := Marshal(v)
		if err != nil {
			return nil, err
		}
		tv.V = b
	}
	return Marshal(&tv)
}

// DecodeAny decodes what EncodeAny produced.
func DecodeAny(data []byte) (any, error) {
	var tv typed
	if err := Unmarshal(data, &tv); err != nil {
		return nil, err
	}
	if tv.T == "" {
		return nil, nil
	}
	registry.RLock()
	t, ok := registry.byName[tv.T]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnregistered, tv.T)
	}
	p := reflect.New(t)
	if err := Unmarshal(tv.V, p.Interface()); err != nil {
		return nil, err
	}
	return p.Elem().Interface(), nil
}
