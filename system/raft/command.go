package raft

import (
	"encoding/binary"

	"faultline/transport/wire"
)

// Commands are stored and sent in wire.EncodeAny's encoding: a msgpack map
// {"T": type name, "V": bin holding the msgpack value}. Encoding and
// decoding it through the codec's reflection costs microseconds per
// command, paid at Start and again by every peer's applier, which made it
// the largest single cost of a commit. encodeCommand and decodeCommand
// produce and read exactly that encoding by hand for the two command types
// services use for opaque payloads, string and []byte, and hand every
// other type (and any input not in the exact shape they write) to wire;
// command_test.go checks them against wire byte for byte.

// The fixed prefix of an encoded command up to the type name: a two-entry
// map, the key "T" and a fixstr header.
const cmdPrefix = "\x82\xa1T"

// The type names wire registers at init for string and []byte, with their
// fixstr headers, and the key "V" that follows.
const (
	cmdString = "\xa6string\xa1V"
	cmdBytes  = "\xa7[]uint8\xa1V"
)

// msgpack type bytes used here.
const (
	mpNil   = 0xc0
	mpBin8  = 0xc4
	mpBin16 = 0xc5
	mpBin32 = 0xc6
	mpStr8  = 0xd9
	mpStr16 = 0xda
	mpStr32 = 0xdb
	mpFix   = 0xa0 // fixstr: 0xa0 | length < 32
)

// encodeCommand returns wire.EncodeAny(v).
func encodeCommand(v any) ([]byte, error) {
	switch c := v.(type) {
	case string:
		n := len(c)
		inner := strHeaderLen(n) + n
		b := make([]byte, 0, len(cmdPrefix)+len(cmdString)+binHeaderLen(inner)+inner)
		b = append(b, cmdPrefix...)
		b = append(b, cmdString...)
		b = appendBinHeader(b, inner)
		b = appendStrHeader(b, n)
		return append(b, c...), nil
	case []byte:
		if c == nil {
			return []byte(cmdPrefix + cmdBytes + "\xc4\x01\xc0"), nil
		}
		n := len(c)
		inner := binHeaderLen(n) + n
		b := make([]byte, 0, len(cmdPrefix)+len(cmdBytes)+binHeaderLen(inner)+inner)
		b = append(b, cmdPrefix...)
		b = append(b, cmdBytes...)
		b = appendBinHeader(b, inner)
		b = appendBinHeader(b, n)
		return append(b, c...), nil
	}
	return wire.EncodeAny(v)
}

// decodeCommand returns what wire.DecodeAny(b) returns.
func decodeCommand(b []byte) (any, error) {
	if v, ok := decodeFast(b); ok {
		return v, nil
	}
	return wire.DecodeAny(b)
}

// decodeFast decodes a string or []byte command in the exact shape
// encodeCommand writes (the codec's own, minimal headers). ok is false
// for anything else, which the caller leaves to wire.
func decodeFast(b []byte) (v any, ok bool) {
	rest, ok := cutPrefix(b, cmdPrefix)
	if !ok {
		return nil, false
	}
	isString := false
	if r, ok := cutPrefix(rest, cmdString); ok {
		rest, isString = r, true
	} else if rest, ok = cutPrefix(rest, cmdBytes); !ok {
		return nil, false
	}
	inner, ok := readBin(rest)
	if !ok {
		return nil, false
	}
	if isString {
		s, ok := readStr(inner)
		if !ok {
			return nil, false
		}
		return string(s), true
	}
	if len(inner) == 1 && inner[0] == mpNil {
		return []byte(nil), true
	}
	p, ok := readBin(inner)
	if !ok {
		return nil, false
	}
	return append(make([]byte, 0, len(p)), p...), true
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

// readBin returns the payload of a msgpack bin with a minimal header that
// spans exactly b.
func readBin(b []byte) ([]byte, bool) {
	if len(b) < 2 {
		return nil, false
	}
	var n, h int
	switch b[0] {
	case mpBin8:
		n, h = int(b[1]), 2
	case mpBin16:
		if len(b) < 3 {
			return nil, false
		}
		n, h = int(binary.BigEndian.Uint16(b[1:])), 3
	case mpBin32:
		if len(b) < 5 {
			return nil, false
		}
		n, h = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		return nil, false
	}
	if h != binHeaderLen(n) || len(b)-h != n {
		return nil, false
	}
	return b[h:], true
}

// readStr returns the payload of a msgpack str with a minimal header that
// spans exactly b.
func readStr(b []byte) ([]byte, bool) {
	if len(b) < 1 {
		return nil, false
	}
	var n, h int
	switch c := b[0]; {
	case c&0xe0 == mpFix:
		n, h = int(c&0x1f), 1
	case c == mpStr8 && len(b) >= 2:
		n, h = int(b[1]), 2
	case c == mpStr16 && len(b) >= 3:
		n, h = int(binary.BigEndian.Uint16(b[1:])), 3
	case c == mpStr32 && len(b) >= 5:
		n, h = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		return nil, false
	}
	if h != strHeaderLen(n) || len(b)-h != n {
		return nil, false
	}
	return b[h:], true
}

func binHeaderLen(n int) int {
	switch {
	case n < 1<<8:
		return 2
	case n < 1<<16:
		return 3
	}
	return 5
}

func appendBinHeader(b []byte, n int) []byte {
	switch {
	case n < 1<<8:
		return append(b, mpBin8, byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(b, mpBin16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, mpBin32), uint32(n))
}

func strHeaderLen(n int) int {
	switch {
	case n < 32:
		return 1
	case n < 1<<8:
		return 2
	case n < 1<<16:
		return 3
	}
	return 5
}

func appendStrHeader(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, mpFix|byte(n))
	case n < 1<<8:
		return append(b, mpStr8, byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(b, mpStr16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, mpStr32), uint32(n))
}
