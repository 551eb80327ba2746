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
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == 0xE2 {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
