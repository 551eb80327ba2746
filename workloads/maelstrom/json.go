package maelstrom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// The decoders below read recorded Values and Outputs, which hold what a
// node sent: anything at all. They return errors, never panic.

// fieldOf returns the raw JSON of field name of the object body.
func fieldOf(body []byte, name string) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %w", err)
	}
	v, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("body has no %q field", name)
	}
	return v, nil
}

// decodeField decodes field name of body into v.
func decodeField(body string, name string, v any) error {
	raw, err := fieldOf([]byte(body), name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("field %q: %w", name, err)
	}
	return nil
}

// canonical returns raw re-encoded so that equal JSON values compare equal
// as strings: no spaces, object keys sorted, integral numbers written as
// integers (1.0 is 1). Undecodable input is returned as it is.
func canonical(raw []byte) string {
	if plainInt(raw) {
		return string(raw) // the common case, without a decoder
	}
	return decodeCanonical(raw)
}

// decodeCanonical is canonical through a decoder.
func decodeCanonical(raw []byte) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return string(raw)
	}
	if _, err := d.Token(); err != io.EOF {
		return string(raw) // trailing data: not one JSON value
	}
	b, err := json.Marshal(normalize(v))
	if err != nil {
		return string(raw)
	}
	return string(b)
}

// normalize rewrites numbers within v to their canonical form.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return x
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return x
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10))
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return v
}

// canonicalList decodes a JSON array and returns its elements in canonical
// form.
func canonicalList(raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = canonical(it)
	}
	return out, nil
}

// plainInt reports whether raw is a JSON integer in canonical form: an
// optional minus, then 0 or a digit string without a leading zero, short
// enough to fit an int64.
func plainInt(raw []byte) bool {
	b := raw
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 || b[0] == '0' && len(b) > 1 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
