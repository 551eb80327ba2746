package wire_test

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"faultline/transport/wire"
	"faultline/transport/wire/wiretest"
)

// sample has a field of every kind the Append and Read functions cover,
// and a hand-written codec built from them. Its fields are declared out
// of name order: the encoding sorts them.
type sample struct {
	Term  int
	Index uint64
	Ok    bool
	Name  string
	Data  []byte
	Kids  []int // encoded by reflection, inside the hand-written map
}

func (s *sample) AppendWire(b []byte) ([]byte, error) {
	b = wire.AppendMapHeader(b, 6)
	b = wire.AppendBytes(wire.AppendString(b, "Data"), s.Data)
	b = wire.AppendUint(wire.AppendString(b, "Index"), s.Index)
	b, err := wire.Append(wire.AppendString(b, "Kids"), s.Kids)
	if err != nil {
		return b, err
	}
	b = wire.AppendString(wire.AppendString(b, "Name"), s.Name)
	b = wire.AppendBool(wire.AppendString(b, "Ok"), s.Ok)
	return wire.AppendInt(wire.AppendString(b, "Term"), int64(s.Term)), nil
}

func (s *sample) DecodeWire(data []byte) error {
	r := wire.NewReader(data)
	for n := r.ReadMapLen(); n > 0 && r.Err() == nil; n-- {
		switch string(r.ReadKey()) {
		case "Data":
			s.Data = r.ReadBytes()
		case "Index":
			s.Index = r.ReadUint()
		case "Kids":
			if r.ReadNil() {
				s.Kids = nil
				break
			}
			s.Kids = make([]int, r.ReadArrayLen())
			for i := range s.Kids {
				s.Kids[i] = int(r.ReadInt())
			}
		case "Name":
			s.Name = r.ReadString()
		case "Ok":
			s.Ok = r.ReadBool()
		case "Term":
			s.Term = int(r.ReadInt())
		default:
			r.Skip()
		}
	}
	return r.Err()
}

// samples are edge values of every field: each integer form's bounds, the
// string and bin length forms' bounds, nil and empty slices.
func samples() []sample {
	var out []sample
	for _, i := range []int64{0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, math.MaxInt32, math.MaxInt32 + 1, math.MaxInt64,
		-1, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64} {
		out = append(out, sample{Term: int(i), Index: uint64(i)})
	}
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536} {
		s := string(bytes.Repeat([]byte("x"), n))
		out = append(out, sample{Name: s, Data: []byte(s), Ok: n%2 == 0, Kids: make([]int, n%20)})
	}
	return append(out, sample{Data: []byte{}, Kids: []int{}}, sample{Index: math.MaxUint64})
}

func TestHandCodecMatchesReflection(t *testing.T) {
	wiretest.Check(t, samples()...)
}

func FuzzHandCodec(f *testing.F) {
	f.Add([]byte{0x81, 0xc4, 4, 'T', 'e', 'r', 'm', 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}) // a bin key, MinInt64
	f.Add([]byte{0x92, 1, 2})                                                         // a struct as an array
	f.Add([]byte{0x81, 0xa1, 'X', 0xc7, 2, 1, 9, 9})                                  // an unknown field holding an ext
	wiretest.Fuzz(f, samples()[:12]...)
}

// TestMarshalUsesHandCodec checks that Marshal and Unmarshal take the
// hand-written path: a type whose methods fail makes them fail.
func TestMarshalUsesHandCodec(t *testing.T) {
	if _, err := wire.Marshal(failing{}); !errors.Is(err, errHand) {
		t.Errorf("Marshal = %v, want errHand", err)
	}
	if err := wire.Unmarshal([]byte{0x80}, &failing{}); !errors.Is(err, errHand) {
		t.Errorf("Unmarshal = %v, want errHand", err)
	}
	out, err := wire.Append([]byte("keep"), failing{})
	if err == nil || string(out) != "keep" {
		t.Errorf("Append = %q, %v; want dst unchanged and an error", out, err)
	}
	out, err = wire.Append([]byte("keep"), (*sample)(nil)) // AppendWire dereferences it
	if err == nil || string(out) != "keep" {
		t.Errorf("Append(nil *sample) = %q, %v; want dst unchanged and an error", out, err)
	}
}

var errHand = errors.New("hand-written codec called")

type failing struct{}

func (failing) AppendWire(b []byte) ([]byte, error) { return append(b, "junk"...), errHand }
func (*failing) DecodeWire([]byte) error            { return errHand }

// TestBinHeaderAndBytesView: AppendBinHeader followed by the bytes is what
// AppendBytes writes, at every length form's bounds, and ReadBytesView reads
// it back aliasing the input (nil as nil, empty as empty, str as well as
// bin), failing on a length past the input.
func TestBinHeaderAndBytesView(t *testing.T) {
	for _, n := range []int{0, 1, 255, 256, 65535, 65536} {
		p := bytes.Repeat([]byte{'x'}, n)
		b := append(wire.AppendBinHeader(nil, n), p...)
		if want := wire.AppendBytes(nil, p); !bytes.Equal(b, want) {
			t.Fatalf("%d bytes: AppendBinHeader gives % x..., AppendBytes % x...", n, b[:min(len(b), 6)], want[:min(len(want), 6)])
		}
		r := wire.NewReader(b)
		got := r.ReadBytesView()
		if r.Err() != nil || got == nil || !bytes.Equal(got, p) || (n > 0 && &got[0] != &b[len(b)-n]) {
			t.Fatalf("%d bytes: ReadBytesView = %d bytes, %v; want the input's own %d bytes", n, len(got), r.Err(), n)
		}
	}
	r := wire.NewReader(wire.AppendString(wire.AppendNil(nil), "ab"))
	if got := r.ReadBytesView(); got != nil || r.Err() != nil {
		t.Fatalf("nil: ReadBytesView = %q, %v; want nil", got, r.Err())
	}
	if got := r.ReadBytesView(); string(got) != "ab" || r.Err() != nil {
		t.Fatalf("str: ReadBytesView = %q, %v; want \"ab\"", got, r.Err())
	}
	r = wire.NewReader(append(wire.AppendBinHeader(nil, 10), "short"...))
	if got := r.ReadBytesView(); got != nil || !errors.Is(r.Err(), wire.ErrMalformed) {
		t.Fatalf("truncated: ReadBytesView = %q, %v; want nil and ErrMalformed", got, r.Err())
	}
}
