package wire

import (
	"encoding/binary"
	"math"
)

// The msgpack format bytes the hand-written codecs use (msgpack spec,
// github.com/msgpack/msgpack/blob/master/spec.md).
const (
	mpFixMap   = 0x80
	mpFixArray = 0x90
	mpFixStr   = 0xa0
	mpNil      = 0xc0
	mpFalse    = 0xc2
	mpTrue     = 0xc3
	mpBin8     = 0xc4
	mpBin16    = 0xc5
	mpBin32    = 0xc6
	mpExt8     = 0xc7
	mpExt16    = 0xc8
	mpExt32    = 0xc9
	mpFloat32  = 0xca
	mpFloat64  = 0xcb
	mpUint8    = 0xcc
	mpUint16   = 0xcd
	mpUint32   = 0xce
	mpUint64   = 0xcf
	mpInt8     = 0xd0
	mpInt16    = 0xd1
	mpInt32    = 0xd2
	mpInt64    = 0xd3
	mpFixExt1  = 0xd4
	mpFixExt16 = 0xd8
	mpStr8     = 0xd9
	mpStr16    = 0xda
	mpStr32    = 0xdb
	mpArray16  = 0xdc
	mpArray32  = 0xdd
	mpMap16    = 0xde
	mpMap32    = 0xdf
	mpNegFix   = 0xe0
)

// The functions below append one msgpack value each, in exactly the form
// the reflective encoder writes it (the shortest form, strings as str,
// byte slices as bin), for AppendWire methods.

// AppendMapHeader appends the header of a map of n entries; n pairs of
// values follow it.
func AppendMapHeader(b []byte, n int) []byte { return appendLen(b, n, mpFixMap, 16, 0, mpMap16) }

// AppendArrayHeader appends the header of an array of n values.
func AppendArrayHeader(b []byte, n int) []byte { return appendLen(b, n, mpFixArray, 16, 0, mpArray16) }

// AppendNil appends nil, what a nil pointer, slice, map or interface
// encodes as.
func AppendNil(b []byte) []byte { return append(b, mpNil) }

// AppendBool appends a bool.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, mpTrue)
	}
	return append(b, mpFalse)
}

// AppendInt appends a signed integer (any of Go's int kinds).
func AppendInt(b []byte, i int64) []byte {
	switch {
	case i > math.MaxInt8:
		switch {
		case i <= math.MaxInt16:
			return binary.BigEndian.AppendUint16(append(b, mpInt16), uint16(i))
		case i <= math.MaxInt32:
			return binary.BigEndian.AppendUint32(append(b, mpInt32), uint32(i))
		}
		return binary.BigEndian.AppendUint64(append(b, mpInt64), uint64(i))
	case i >= -32:
		return append(b, byte(i)) // positive or negative fixint
	case i >= math.MinInt8:
		return append(b, mpInt8, byte(i))
	case i >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, mpInt16), uint16(i))
	case i >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, mpInt32), uint32(i))
	}
	return binary.BigEndian.AppendUint64(append(b, mpInt64), uint64(i))
}

// AppendUint appends an unsigned integer (any of Go's uint kinds).
func AppendUint(b []byte, u uint64) []byte {
	switch {
	case u <= math.MaxInt8:
		return append(b, byte(u))
	case u <= math.MaxUint8:
		return append(b, mpUint8, byte(u))
	case u <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, mpUint16), uint16(u))
	case u <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, mpUint32), uint32(u))
	}
	return binary.BigEndian.AppendUint64(append(b, mpUint64), u)
}

// AppendString appends a string (also a struct field's name, as a map
// key).
func AppendString(b []byte, s string) []byte {
	b = appendLen(b, len(s), mpFixStr, 32, mpStr8, mpStr16)
	return append(b, s...)
}

// AppendBytes appends a byte slice: nil as nil, anything else as bin.
func AppendBytes(b []byte, p []byte) []byte {
	if p == nil {
		return append(b, mpNil)
	}
	return append(AppendBinHeader(b, len(p)), p...)
}

// AppendBinHeader appends the header of a byte slice of n bytes (bin), for
// an encoder that writes the n bytes itself after it instead of building
// them apart first for AppendBytes.
func AppendBinHeader(b []byte, n int) []byte { return appendLen(b, n, 0, 0, mpBin8, mpBin16) }

// appendLen appends the header of a container or string of length n: a
// fix form (fix | n) when fixMax > n, else the 8-bit form when there is
// one (b8 != 0), else the 16- or 32-bit form (b16, and b16+1 for 32).
func appendLen(b []byte, n int, fix byte, fixMax int, b8, b16 byte) []byte {
	switch {
	case n < fixMax:
		return append(b, fix|byte(n))
	case b8 != 0 && n <= math.MaxUint8:
		return append(b, b8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, b16+1), uint32(n))
}
