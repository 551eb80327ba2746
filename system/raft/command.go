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
	mpNil  = 0xc0
	mpBin8 = 0xc4 // bin16 and bin32 follow
	mpStr8 = 0xd9 // str16 and str32 follow
	mpFix  = 0xa0 // fixstr: 0xa0 | length < 32
)

// encodeCommand returns wire.EncodeAny(v).
func encodeCommand(v any) ([]byte, error) {
	switch c := v.(type) {
	case string:
		return wrapCommand(cmdString, c, strHeaderLen(len(c)), appendStrHeader), nil
	case []byte:
		if c == nil {
			return []byte(cmdPrefix + cmdBytes + "\xc4\x01\xc0"), nil
		}
		return wrapCommand(cmdBytes, c, binHeaderLen(len(c)), appendBinHeader), nil
	}
	return wire.EncodeAny(v)
}

// wrapCommand encodes payload p as the command of type name (cmdString or
// cmdBytes): the prefix and name, then a bin holding p's own header of
// hlen bytes, written by header, and p.
func wrapCommand[P string | []byte](name string, p P, hlen int, header func([]byte, int) []byte) []byte {
	inner := hlen + len(p)
	b := make([]byte, 0, len(cmdPrefix)+len(name)+binHeaderLen(inner)+inner)
	b = append(b, cmdPrefix...)
	b = append(b, name...)
	b = appendBinHeader(b, inner)
	b = header(b, len(p))
	return append(b, p...)
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
	if len(b) < 1 {
		return nil, false
	}
	return readSized(b, mpBin8)
}

// readStr returns the payload of a msgpack str with a minimal header that
// spans exactly b.
func readStr(b []byte) ([]byte, bool) {
	if len(b) < 1 {
		return nil, false
	}
	if c := b[0]; c&0xe0 == mpFix {
		if n := int(c & 0x1f); len(b)-1 == n {
			return b[1:], true
		}
		return nil, false
	}
	return readSized(b, mpStr8)
}

// readSized reads the 8-, 16- or 32-bit length header of a msgpack bin or
// str, whose type bytes are t8, t8+1 and t8+2, and returns the payload if
// the header is minimal and the payload spans the rest of b.
func readSized(b []byte, t8 byte) ([]byte, bool) {
	var n, h int
	switch c := b[0]; {
	case c == t8 && len(b) >= 2:
		n, h = int(b[1]), 2
	case c == t8+1 && len(b) >= 3:
		n, h = int(binary.BigEndian.Uint16(b[1:])), 3
	case c == t8+2 && len(b) >= 5:
		n, h = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		return nil, false
	}
	if h != sizedHeaderLen(n) || len(b)-h != n || (t8 == mpStr8 && n < 32) {
		return nil, false
	}
	return b[h:], true
}

// sizedHeaderLen is the length of the minimal 8-, 16- or 32-bit header
// of a bin or str of n bytes.
func sizedHeaderLen(n int) int {
	switch {
	case n < 1<<8:
		return 2
	case n < 1<<16:
		return 3
	}
	return 5
}

// appendSized appends the minimal 8-, 16- or 32-bit header of a bin or str
// of n bytes whose type bytes are t8, t8+1 and t8+2.
func appendSized(b []byte, n int, t8 byte) []byte {
	switch {
	case n < 1<<8:
		return append(b, t8, byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(b, t8+1), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, t8+2), uint32(n))
}

func binHeaderLen(n int) int { return sizedHeaderLen(n) }

func appendBinHeader(b []byte, n int) []byte { return appendSized(b, n, mpBin8) }

func strHeaderLen(n int) int {
	if n < 32 {
		return 1
	}
	return sizedHeaderLen(n)
}

func appendStrHeader(b []byte, n int) []byte {
	if n < 32 {
		return append(b, mpFix|byte(n))
	}
	return appendSized(b, n, mpStr8)
}
