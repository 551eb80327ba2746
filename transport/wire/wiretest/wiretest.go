package wiretest

import (
	"bytes"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"

	"faultline/transport/wire"
)

// Codec is a pointer to T with a hand-written encoding and decoding.
type Codec[T any] interface {
	*T
	wire.Appender
	wire.Decoder
}

// randomValues is the number of random values Check draws besides its
// samples.
const randomValues = 2000

// Check compares T's hand-written codec with reflection on samples and on
// random values (testing/quick): AppendWire must append exactly what
// wire.MarshalReflect produces, after any prefix; DecodeWire of those
// bytes must give the value wire.UnmarshalReflect gives, both into a zero
// T and into a T that holds another value already.
func Check[T any, P Codec[T]](t testing.TB, samples ...T) {
	t.Helper()
	values := append([]T(nil), samples...)
	rnd := rand.New(rand.NewSource(1))
	typ := reflect.TypeFor[T]()
	for range randomValues {
		v, ok := quick.Value(typ, rnd)
		if !ok {
			t.Fatalf("testing/quick cannot make a %v", typ)
		}
		values = append(values, v.Interface().(T))
	}
	var prev T
	for i, v := range values {
		want, err := wire.MarshalReflect(&v)
		if err != nil {
			t.Fatalf("value %d: MarshalReflect: %v", i, err)
		}
		got, err := P(&v).AppendWire([]byte("prefix"))
		if err != nil {
			t.Fatalf("value %d (%+v): AppendWire: %v", i, v, err)
		}
		if !bytes.Equal(got[:6], []byte("prefix")) || !bytes.Equal(got[6:], want) {
			t.Fatalf("value %d (%+v): AppendWire gives\n%x\nreflection gives\n%x", i, v, got[6:], want)
		}
		for _, start := range []T{*new(T), prev} {
			compareDecoders[T, P](t, want, start)
		}
		prev = v
	}
}

// compareDecoders decodes data into two copies of start, by hand and by
// reflection, and fails t if either fails or they disagree.
func compareDecoders[T any, P Codec[T]](t testing.TB, data []byte, start T) {
	t.Helper()
	hand, refl := clone(start), clone(start)
	if err := P(&hand).DecodeWire(data); err != nil {
		t.Fatalf("DecodeWire(%x): %v", data, err)
	}
	if err := wire.UnmarshalReflect(data, &refl); err != nil {
		t.Fatalf("UnmarshalReflect(%x): %v", data, err)
	}
	if !reflect.DeepEqual(hand, refl) {
		t.Fatalf("decoding %x into %+v:\nby hand       %#v\nby reflection %#v", data, start, hand, refl)
	}
}

// Fuzz runs a fuzz target on T's hand-written decoder, seeded with the
// encodings of seeds. On any input DecodeWire must not panic; where it
// and the reflective decoder both succeed they must agree; and what it
// decodes must re-encode (AppendWire) to bytes that decode by reflection
// to the same value.
func Fuzz[T any, P Codec[T]](f *testing.F, seeds ...T) {
	for _, s := range seeds {
		b, err := P(&s).AppendWire(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var hand, refl T
		herr := P(&hand).DecodeWire(data)
		rerr := wire.UnmarshalReflect(data, &refl)
		if herr != nil {
			return
		}
		if rerr == nil && !reflect.DeepEqual(hand, refl) {
			t.Fatalf("decoding %x:\nby hand       %#v\nby reflection %#v", data, hand, refl)
		}
		again, err := P(&hand).AppendWire(nil)
		if err != nil {
			t.Fatalf("AppendWire(%+v) after decoding %x: %v", hand, data, err)
		}
		var back T
		if err := wire.UnmarshalReflect(again, &back); err != nil || !reflect.DeepEqual(hand, back) {
			t.Fatalf("%+v decoded from %x re-encodes to %x, which reflection decodes to %+v (%v)", hand, data, again, back, err)
		}
	})
}

// clone returns a deep copy of v, through the reflective codec, so that
// two decoders start from equal values sharing no memory.
func clone[T any](v T) T {
	var out T
	b, err := wire.MarshalReflect(&v)
	if err == nil {
		err = wire.UnmarshalReflect(b, &out)
	}
	if err != nil {
		panic("wiretest: clone: " + err.Error())
	}
	return out
}
