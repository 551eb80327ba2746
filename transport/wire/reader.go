package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrMalformed is the error of a Reader whose input is not the msgpack
// it was asked for: a wrong type, a length running past the end of the
// input, nesting deeper than maxSkipDepth.
var ErrMalformed = errors.New("wire: malformed msgpack")

// maxSkipDepth bounds the nesting of the values Skip steps over, so that
// hostile input cannot recurse without limit.
const maxSkipDepth = 32

// Reader reads msgpack values from a byte slice, for DecodeWire methods.
// Every read checks the input's bounds and its type byte; the first
// failure makes the Reader fail (Err) and every later read return a zero
// value, so a decoder reads on and checks Err once at the end. A length
// prefix is checked against the bytes left before it is believed, so no
// read allocates more than the input holds.
//
// Use it as a value on the decoder's stack (NewReader), not through a
// pointer that escapes: it then costs no allocation.
type Reader struct {
	b   []byte
	off int
	err error
}

// NewReader returns a Reader of b.
func NewReader(b []byte) Reader { return Reader{b: b} }

// Err returns the first failure, or nil.
func (r *Reader) Err() error { return r.err }

// fail records the first failure.
func (r *Reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d of %d", ErrMalformed, what, r.off, len(r.b))
	}
}

// next returns the next byte, or fails.
func (r *Reader) next(what string) (byte, bool) {
	if r.err != nil {
		return 0, false
	}
	if r.off >= len(r.b) {
		r.fail(what + ": input ends")
		return 0, false
	}
	c := r.b[r.off]
	r.off++
	return c, true
}

// take returns the next n bytes (aliasing the input), or fails.
func (r *Reader) take(n uint64, what string) ([]byte, bool) {
	if r.err != nil {
		return nil, false
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail(fmt.Sprintf("%s: %d bytes, %d left", what, n, len(r.b)-r.off))
		return nil, false
	}
	end := r.off + int(n)
	p := r.b[r.off:end:end]
	r.off = end
	return p, true
}

// uintN reads a big-endian unsigned integer of size bytes (1, 2, 4, 8).
func (r *Reader) uintN(size uint64, what string) (uint64, bool) {
	p, ok := r.take(size, what)
	if !ok {
		return 0, false
	}
	switch size {
	case 1:
		return uint64(p[0]), true
	case 2:
		return uint64(binary.BigEndian.Uint16(p)), true
	case 4:
		return uint64(binary.BigEndian.Uint32(p)), true
	}
	return binary.BigEndian.Uint64(p), true
}

// ReadNil reads a nil if one comes next and reports whether it did; it
// reads nothing otherwise. A decoder tells a nil slice or map from an
// empty one with it.
func (r *Reader) ReadNil() bool {
	if r.err == nil && r.off < len(r.b) && r.b[r.off] == mpNil {
		r.off++
		return true
	}
	return false
}

// ReadMapLen reads a map's header and returns its number of entries (0
// for nil). It fails when the input cannot hold that many entries (each
// takes at least two bytes), so a loop over the entries is bounded by the
// input.
func (r *Reader) ReadMapLen() int { return r.readLen(mpFixMap, 0x0f, mpMap16, 2, "map") }

// ReadArrayLen reads an array's header and returns its number of values
// (0 for nil), failing when the input cannot hold that many (one byte
// each at least).
func (r *Reader) ReadArrayLen() int { return r.readLen(mpFixArray, 0x0f, mpArray16, 1, "array") }

// readLen reads a container header: fix|n (n <= fixMask), b16 or b16+1
// (32-bit) or nil, and checks n against what is left at per bytes each.
func (r *Reader) readLen(fix, fixMask, b16 byte, per int, what string) int {
	c, ok := r.next(what)
	if !ok {
		return 0
	}
	var n uint64
	switch {
	case c == mpNil:
		return 0
	case c&^fixMask == fix:
		n = uint64(c & fixMask)
	case c == b16:
		n, ok = r.uintN(2, what)
	case c == b16+1:
		n, ok = r.uintN(4, what)
	default:
		r.off--
		r.fail(fmt.Sprintf("%s: type byte %#x", what, c))
		return 0
	}
	if !ok {
		return 0
	}
	if left := uint64(len(r.b) - r.off); n > left/uint64(per) {
		r.fail(fmt.Sprintf("%s of %d entries in %d bytes", what, n, left))
		return 0
	}
	return int(n)
}

// ReadKey reads a map key (a str, or a bin) and returns its bytes, which
// alias the input: compare them (switch string(key) does not allocate),
// do not keep them.
func (r *Reader) ReadKey() []byte {
	p, _ := r.raw("key", false)
	return p
}

// ReadString reads a string (str or bin; nil reads as "").
func (r *Reader) ReadString() string {
	p, _ := r.raw("string", true)
	return string(p)
}

// ReadBytes reads a byte slice (bin or str) into a new slice; nil reads as
// a nil slice, an empty one as an empty non-nil slice.
func (r *Reader) ReadBytes() []byte {
	p, isNil := r.raw("bytes", true)
	if isNil || r.err != nil {
		return nil
	}
	return append(make([]byte, 0, len(p)), p...)
}

// ReadBytesView reads a byte slice (bin or str) as ReadBytes does, but
// returns bytes aliasing the input instead of a copy (nil for a msgpack
// nil): for a decoder that transforms them into something it keeps, and
// so copies them anyway.
func (r *Reader) ReadBytesView() []byte {
	p, _ := r.raw("bytes", true)
	return p
}

// raw reads a str or bin and returns its bytes, aliasing the input, and
// whether it was nil (allowed only if nilOK).
func (r *Reader) raw(what string, nilOK bool) (p []byte, isNil bool) {
	c, ok := r.next(what)
	if !ok {
		return nil, false
	}
	var n uint64
	switch {
	case c&^0x1f == mpFixStr:
		n = uint64(c & 0x1f)
	case c == mpStr8, c == mpBin8:
		n, ok = r.uintN(1, what)
	case c == mpStr16, c == mpBin16:
		n, ok = r.uintN(2, what)
	case c == mpStr32, c == mpBin32:
		n, ok = r.uintN(4, what)
	case c == mpNil && nilOK:
		return nil, true
	default:
		r.off--
		r.fail(fmt.Sprintf("%s: type byte %#x", what, c))
		return nil, false
	}
	if !ok {
		return nil, false
	}
	p, _ = r.take(n, what)
	return p, false
}

// ReadInt reads a signed integer, from any msgpack integer form (a uint64
// past math.MaxInt64 wraps, as in the reflective decoder); nil reads as 0.
func (r *Reader) ReadInt() int64 {
	c, ok := r.next("int")
	if !ok {
		return 0
	}
	switch {
	case c <= 0x7f, c >= mpNegFix:
		return int64(int8(c))
	case c == mpNil:
		return 0
	case c >= mpUint8 && c <= mpUint64:
		u, _ := r.uintN(1<<(c-mpUint8), "int")
		return int64(u)
	case c >= mpInt8 && c <= mpInt64:
		size := uint64(1) << (c - mpInt8)
		u, _ := r.uintN(size, "int")
		shift := 64 - 8*size // sign-extend from size bytes
		return int64(u<<shift) >> shift
	}
	r.off--
	r.fail(fmt.Sprintf("int: type byte %#x", c))
	return 0
}

// ReadUint reads an unsigned integer, from any msgpack integer form that
// holds no negative value; nil reads as 0.
func (r *Reader) ReadUint() uint64 {
	start := r.off
	if c, ok := r.next("uint"); ok && c >= mpUint8 && c <= mpUint64 {
		u, _ := r.uintN(1<<(c-mpUint8), "uint")
		return u
	}
	if r.err != nil {
		return 0
	}
	r.off = start
	i := r.ReadInt()
	if i < 0 {
		r.off = start
		r.fail(fmt.Sprintf("uint: negative value %d", i))
		return 0
	}
	return uint64(i)
}

// ReadBool reads a bool (the reflective decoder also takes the integers 0
// and 1 for one); nil reads as false.
func (r *Reader) ReadBool() bool {
	c, ok := r.next("bool")
	if !ok {
		return false
	}
	switch c {
	case mpTrue, 1:
		return true
	case mpFalse, 0, mpNil:
		return false
	}
	r.off--
	r.fail(fmt.Sprintf("bool: type byte %#x", c))
	return false
}

// Skip steps over one value of any type, nested up to maxSkipDepth deep:
// a decoder skips the value of a field it does not know.
func (r *Reader) Skip() { r.skip(0) }

func (r *Reader) skip(depth int) {
	if depth > maxSkipDepth {
		r.fail("nesting too deep")
		return
	}
	c, ok := r.next("value")
	if !ok {
		return
	}
	r.off--
	switch {
	case c <= 0x7f, c >= mpNegFix, c == mpNil, c == mpFalse, c == mpTrue:
		r.off++
	case c >= mpUint8 && c <= mpInt64:
		r.ReadInt()
	case c == mpFloat32, c == mpFloat64:
		r.off++
		r.take(4<<(c-mpFloat32), "float")
	case c&^0x1f == mpFixStr, c >= mpStr8 && c <= mpStr32, c >= mpBin8 && c <= mpBin32:
		r.raw("value", false)
	case c&^0x0f == mpFixArray, c == mpArray16, c == mpArray32:
		for n := r.ReadArrayLen(); n > 0 && r.err == nil; n-- {
			r.skip(depth + 1)
		}
	case c&^0x0f == mpFixMap, c == mpMap16, c == mpMap32:
		for n := r.ReadMapLen(); n > 0 && r.err == nil; n-- {
			r.skip(depth + 1)
			r.skip(depth + 1)
		}
	case c >= mpFixExt1 && c <= mpFixExt16:
		r.off++
		r.take(1+1<<(c-mpFixExt1), "ext") // type, then 1..16 bytes
	case c >= mpExt8 && c <= mpExt32:
		r.off++
		if n, ok := r.uintN(1<<(c-mpExt8), "ext"); ok {
			r.take(1+n, "ext")
		}
	default: // 0xc1, never used
		r.fail(fmt.Sprintf("value: type byte %#x", c))
	}
}
