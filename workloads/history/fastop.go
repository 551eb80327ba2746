package history

import (
	"bytes"
	"unicode/utf8"
)

// The op lines of a history are nearly all of it, and they have one fixed
// shape: the compact JSON object Writer writes. decodeOpFast reads that
// shape without reflection or a json.Decoder per line (which made report
// builds 2-3x slower than this); anything else (whitespace, escapes,
// invalid UTF-8, unknown or repeated keys, numbers that are not plain
// integers) is left to the strict decoder, which then accepts it or gives
// the precise error. So the fast path changes speed, never what is
// accepted nor what a line decodes to (FuzzDecodeOpFast checks it against
// the strict decoder).

// Bits of the op fields seen on a line, to leave repeated keys to the
// strict decoder.
const (
	seenClient uint16 = 1 << iota
	seenKind
	seenKey
	seenValue
	seenExpect
	seenOutput
	seenInvoke
	seenComplete
	seenOutcome
	seenNode
	seenError
)

// decodeOpFast decodes an op line of the compact shape Writer writes. ok is
// false when the line is anything else; the op is not validated. The key,
// node and error strings come from in (nil: fresh strings).
func decodeOpFast(b []byte, in *interner) (op Op, ok bool) {
	if !bytes.HasPrefix(b, opPrefix) || b[len(b)-1] != '}' {
		return Op{}, false
	}
	p := b[len(opPrefix) : len(b)-1]
	var seen uint16
	for {
		key, rest, ok := plainString(p)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return Op{}, false
		}
		rest = rest[1:]
		var bit uint16
		var s []byte
		var n int64
		switch string(key) {
		case "client":
			bit = seenClient
			n, rest, ok = plainInt(rest)
			op.Client = int(n)
			ok = ok && int64(op.Client) == n
		case "invoke":
			bit = seenInvoke
			op.Invoke, rest, ok = plainInt(rest)
		case "complete":
			bit = seenComplete
			op.Complete, rest, ok = plainInt(rest)
		case "kind":
			bit = seenKind
			if s, rest, ok = plainString(rest); ok {
				op.Kind, ok = kindNames.lookup(s)
			}
		case "outcome":
			bit = seenOutcome
			if s, rest, ok = plainString(rest); ok {
				op.Outcome, ok = outcomeNames.lookup(s)
			}
		case "key", "node", "error":
			dst, b := op.textField(key)
			bit = b
			if s, rest, ok = plainString(rest); ok {
				*dst = in.str(s)
			}
		default:
			var dst *string
			if dst, bit = op.textField(key); dst == nil {
				return Op{}, false
			}
			*dst, rest, ok = plainText(rest)
		}
		if !ok || seen&bit != 0 {
			return Op{}, false
		}
		seen |= bit
		if len(rest) == 0 {
			return op, true
		}
		if rest[0] != ',' {
			return Op{}, false
		}
		p = rest[1:]
	}
}

// textField returns the string field of op named key, and its bit; nil
// for any other key.
func (op *Op) textField(key []byte) (*string, uint16) {
	switch string(key) {
	case "key":
		return &op.Key, seenKey
	case "value":
		return &op.Value, seenValue
	case "expect":
		return &op.Expect, seenExpect
	case "output":
		return &op.Output, seenOutput
	case "node":
		return &op.Node, seenNode
	case "error":
		return &op.Error, seenError
	}
	return nil, 0
}

// plainString reads a JSON string without escapes, control characters or
// invalid UTF-8 at the start of p, and returns its content and the rest.
func plainString(p []byte) (s, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(p[1:], '"')
	if end < 0 {
		return nil, nil, false
	}
	s = p[1 : 1+end]
	for _, c := range s {
		if c < 0x20 || c == '\\' {
			return nil, nil, false
		}
		if c >= utf8.RuneSelf {
			if !utf8.Valid(s) {
				return nil, nil, false
			}
			break
		}
	}
	return s, p[2+end:], true
}

// plainText is plainString as a Go string.
func plainText(p []byte) (string, []byte, bool) {
	s, rest, ok := plainString(p)
	if !ok {
		return "", nil, false
	}
	return string(s), rest, true
}

// plainInt reads a JSON integer (-?(0|[1-9][0-9]*)) that fits an int64 at
// the start of p.
func plainInt(p []byte) (int64, []byte, bool) {
	i := 0
	if i < len(p) && p[i] == '-' {
		i++
	}
	start := i
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	digits := i - start
	if digits == 0 || (digits > 1 && p[start] == '0') {
		return 0, nil, false
	}
	if i < len(p) && (p[i] == '.' || p[i] == 'e' || p[i] == 'E') {
		return 0, nil, false
	}
	if digits > 18 { // may not fit: leave it to the strict decoder
		return 0, nil, false
	}
	var n int64
	for _, c := range p[start:i] {
		n = n*10 + int64(c-'0')
	}
	if start == 1 {
		n = -n
	}
	return n, p[i:], true
}

// interner hands out one string per distinct text of the fields that
// repeat from op to op (keys, node names, error texts), so that a long
// history holds each once. It keeps at most maxInterned texts; past that,
// strings are fresh. A nil interner interns nothing.
type interner struct {
	m map[string]string
}

const maxInterned = 1 << 16

func (in *interner) str(b []byte) string {
	if in == nil {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < maxInterned {
		if in.m == nil {
			in.m = make(map[string]string)
		}
		in.m[s] = s
	}
	return s
}
