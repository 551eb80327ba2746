package history

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// appendOpLine appends the line of op as Writer writes it: byte for byte
// what a json.Encoder with HTML escaping off makes of wireOp{"op", op},
// newline included, without reflection (which cost the harness about 2 µs
// of CPU per op). The twin of decodeOpFast; TestAppendOpLineMatchesJSON
// checks it against the encoder.
func appendOpLine(b []byte, op *Op) []byte {
	b = append(b, `{"type":"op","client":`...)
	b = strconv.AppendInt(b, int64(op.Client), 10)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, op.Kind.String())
	b = append(b, `,"key":`...)
	b = appendJSONString(b, op.Key)
	b = appendOptional(b, `,"value":`, op.Value)
	b = appendOptional(b, `,"expect":`, op.Expect)
	b = appendOptional(b, `,"output":`, op.Output)
	b = append(b, `,"invoke":`...)
	b = strconv.AppendInt(b, op.Invoke, 10)
	b = append(b, `,"complete":`...)
	b = strconv.AppendInt(b, op.Complete, 10)
	b = append(b, `,"outcome":`...)
	b = appendJSONString(b, op.Outcome.String())
	b = appendOptional(b, `,"node":`, op.Node)
	b = appendOptional(b, `,"error":`, op.Error)
	return append(b, "}\n"...)
}

// appendOptional appends key and s unless s is empty (omitempty).
func appendOptional(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, key...), s)
}

// appendJSONString appends s quoted as the encoder quotes it. Strings
// with nothing to escape are copied; any byte that might need escaping
// (a control character, '"', '\\', or 0xE2, the lead byte of U+2028 and
// U+2029) hands the string to the encoder itself.
func appendJSONString(b []byte, s string) []byte {
	if !plainASCII(s) {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == 0xE2 {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				_ = enc.Encode(s) // a string always encodes
				return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
			}
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Word masks of plainASCII: every byte 0x01, 0x80, ' ', '"', '\\'.
const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	spaces = 0x2020202020202020
	quotes = 0x2222222222222222
	slashs = 0x5c5c5c5c5c5c5c5c
)

// plainASCII reports whether every byte of s is printable ASCII other
// than '"' and '\\': a string JSON copies as it is and that is valid
// UTF-8. It tests eight bytes at a time (a byte below 0x20, equal to '"'
// or '\\', or with its high bit set makes a word fail).
func plainASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q, bs := x^quotes, x^slashs
		if (x|((x-spaces)&^x)|((q-ones)&^q)|((bs-ones)&^bs))&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
