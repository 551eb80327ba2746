package wire

import (
	"errors"
	"reflect"
	"testing"

	"github.com/hashicorp/go-msgpack/v2/codec"
)

type withMap struct{ M map[string]string }
type withSlice struct{ S []string }
type plain struct {
	A int
	B string
}

// TestLibraryAliasesStructMapValues pins down the go-msgpack behaviour the
// guard exists for: decoding a map of structs holding maps makes every
// entry share one inner map. If this test ever fails, the library was fixed
// and the guard can be relaxed.
func TestLibraryAliasesStructMapValues(t *testing.T) {
	in := map[int]withMap{1: {M: map[string]string{"a": "1"}}, 2: {M: map[string]string{"b": "2"}}}
	var b []byte
	if err := codec.NewEncoderBytes(&b, handle).Encode(in); err != nil {
		t.Fatal(err)
	}
	var out map[int]withMap
	if err := codec.NewDecoderBytes(b, handle).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(in, out) {
		t.Fatal("go-msgpack now decodes map[K]struct{map} faithfully: relax checkType")
	}
}

func TestGuardRejectsUnsafeTypes(t *testing.T) {
	type nested struct {
		Inner struct{ X map[int]withSlice }
	}
	for _, v := range []any{
		map[int]withMap{1: {}},
		&struct{ D map[string]withSlice }{},
		[]map[int]withMap{},
		&nested{},
	} {
		if _, err := Marshal(v); !errors.Is(err, ErrUnsafeType) {
			t.Errorf("Marshal(%T) = %v, want ErrUnsafeType", v, err)
		}
		p := reflect.New(reflect.TypeOf(v))
		if err := Unmarshal([]byte{0x80}, p.Interface()); !errors.Is(err, ErrUnsafeType) {
			t.Errorf("Unmarshal(%T) = %v, want ErrUnsafeType", p.Interface(), err)
		}
	}
}

// TestSafeShapesRoundTrip checks the shapes the guard lets through decode
// into independent values.
func TestSafeShapesRoundTrip(t *testing.T) {
	cases := []any{
		map[int]*withMap{1: {M: map[string]string{"a": "1"}}, 2: {M: map[string]string{"b": "2"}}},
		map[int]plain{1: {A: 1, B: "x"}, 2: {A: 2, B: "y"}},
		map[int]map[string]string{1: {"a": "1"}, 2: {"b": "2"}},
		map[int][]string{1: {"a", "b"}, 2: {"c"}},
		[]withMap{{M: map[string]string{"a": "1"}}, {M: map[string]string{"b": "2"}}},
		[2]withMap{{M: map[string]string{"a": "1"}}, {M: map[string]string{"b": "2"}}},
	}
	for _, in := range cases {
		b, err := Marshal(in)
		if err != nil {
			t.Fatalf("Marshal(%T): %v", in, err)
		}
		out := reflect.New(reflect.TypeOf(in))
		if err := Unmarshal(b, out.Interface()); err != nil {
			t.Fatalf("Unmarshal(%T): %v", in, err)
		}
		if !reflect.DeepEqual(in, out.Elem().Interface()) {
			t.Errorf("%T: round trip gave %v, want %v", in, out.Elem().Interface(), in)
		}
	}
}
