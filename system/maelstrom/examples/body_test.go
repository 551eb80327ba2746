package examples

import (
	"bytes"
	"encoding/json"
	"testing"

	"faultline/system/maelstrom"
	"faultline/system/maelstrom/examples/node"
)

// body is a decoded message body.
type body map[string]any

func decodeBody(t *testing.T, m maelstrom.Message) body {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(m.Body))
	d.UseNumber()
	var b body
	if err := d.Decode(&b); err != nil {
		t.Fatalf("body %s: %v", m.Body, err)
	}
	return b
}

func (b body) inReplyTo() int64 {
	n, ok := b["in_reply_to"].(json.Number)
	if !ok {
		return -1
	}
	v, _ := n.Int64()
	return v
}

func (b body) wantType(t *testing.T, typ string) {
	t.Helper()
	if b["type"] != typ {
		t.Fatalf("reply %v, want type %s", b, typ)
	}
}

// wantError checks that b is an error reply with code.
func (b body) wantError(t *testing.T, code maelstrom.Code) {
	t.Helper()
	if b["type"] != "error" || b["code"] != json.Number(jsonInt(int64(code))) {
		t.Fatalf("reply %v, want error code %d (%s)", b, int(code), code)
	}
}

func jsonInt(v int64) string { b, _ := json.Marshal(v); return string(b) }

// rawJSON is a JSON text to embed as it is in a request body.
type rawJSON string

// MarshalJSON returns the text itself.
func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// canon re-encodes a JSON text in one form, so equal values compare equal.
func canon(s string) string { return node.Canonical(json.RawMessage(s)) }

// jsonOf encodes v (numbers decoded as json.Number stay as written).
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "!" + err.Error()
	}
	return string(b)
}

// values returns the JSON texts of the elements of a decoded array (nil
// when v is not an array).
func values(v any) []string {
	arr, ok := v.([]any)
	if !ok {
		return nil
	}
	out := []string{}
	for _, e := range arr {
		out = append(out, jsonOf(e))
	}
	return out
}

// sumOf adds up the numbers of a decoded JSON object (-1 when v is not
// an object of integers).
func sumOf(v any) int64 {
	m, ok := v.(map[string]any)
	if !ok {
		return -1
	}
	var sum int64
	for _, e := range m {
		n, ok := e.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return -1
		}
		sum += i
	}
	return sum
}

// intField returns the integer field name of b.
func intField(t *testing.T, b body, name string) int64 {
	t.Helper()
	n, ok := b[name].(json.Number)
	v, err := n.Int64()
	if !ok || err != nil {
		t.Fatalf("%v has no integer %s", b, name)
	}
	return v
}
