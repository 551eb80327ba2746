package maelstrom

import (
	"bytes"
	"encoding/json"

	"faultline/system/maelstrom"
)

// appendLine appends m as one line of a node's stdin: a JSON object with
// src, dest and body, and a newline. The body goes as it is, unless it
// holds a line break (a body not made compact by whoever built it), which
// would split the message in two: it is compacted first.
func appendLine(b []byte, m maelstrom.Message) []byte {
	b = append(b, `{"src":`...)
	b = appendString(b, m.Src)
	b = append(b, `,"dest":`...)
	b = appendString(b, m.Dest)
	b = append(b, `,"body":`...)
	b = appendBody(b, m.Body)
	return append(b, "}\n"...)
}

// appendString appends s as a JSON string; the ids the protocol uses need
// no escaping and take the short way.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendBody appends body on one line.
func appendBody(b []byte, body json.RawMessage) []byte {
	if len(body) == 0 {
		return append(b, "null"...)
	}
	if !bytes.ContainsAny(body, "\r\n") {
		return append(b, body...)
	}
	var c bytes.Buffer
	if err := json.Compact(&c, body); err == nil {
		return append(b, c.Bytes()...)
	}
	// Not JSON at all: whatever it is, it must not end the line early.
	start := len(b)
	b = append(b, body...)
	for i := start; i < len(b); i++ {
		if b[i] == '\n' || b[i] == '\r' {
			b[i] = ' '
		}
	}
	return b
}
