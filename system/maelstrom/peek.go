package maelstrom

import "strings"

// peeked is what the router reads of a body for its counts and journal:
// the reserved fields of its Header, without allocating.
type peeked struct {
	typ                  []byte // aliases the body
	msgID, inReplyTo     int64
	hasMsgID, hasReplyTo bool
}

// peekBody peeks at a body, falling back to ParseHeader. A body without a
// type has an empty one.
func peekBody(b []byte) peeked {
	if p, ok := peekHeader(b); ok {
		return p
	}
	h, _ := ParseHeader(b)
	p := peeked{typ: []byte(h.Type), hasMsgID: h.MsgID != nil, hasReplyTo: h.InReplyTo != nil}
	if p.hasMsgID {
		p.msgID = *h.MsgID
	}
	if p.hasReplyTo {
		p.inReplyTo = *h.InReplyTo
	}
	return p
}

// header returns p as a Header with type typ, allocating its pointers
// (so that p itself stays on the stack).
func (p *peeked) header(typ string) Header {
	h := Header{Type: typ}
	if p.hasMsgID {
		id := p.msgID
		h.MsgID = &id
	}
	if p.hasReplyTo {
		id := p.inReplyTo
		h.InReplyTo = &id
	}
	return h
}

// peekHeader reads a body's type, msg_id and in_reply_to the way
// ParseHeader does, without allocating, for the common shape of a body:
// an object whose keys have no escapes, whose type is a string without
// escapes and whose ids are plain integers. On anything else it reports
// false and the caller falls back to ParseHeader. It does not validate
// the rest of the body (the router routes any body); where ParseHeader
// succeeds and peekHeader reports true, both agree (FuzzPeekHeader).
func peekHeader(b []byte) (peeked, bool) {
	var p peeked
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return p, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return p, true
	}
	for i < len(b) {
		key, j, ok := plainString(b, i)
		if !ok {
			return p, false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return p, false
		}
		i = skipSpace(b, i+1)
		switch {
		case string(key) == "type":
			s, j, ok := plainString(b, i)
			if !ok {
				return p, false
			}
			p.typ, i = s, j
		case string(key) == "msg_id":
			if p.msgID, i, ok = plainInt(b, i); !ok {
				return p, false
			}
			p.hasMsgID = true
		case string(key) == "in_reply_to":
			if p.inReplyTo, i, ok = plainInt(b, i); !ok {
				return p, false
			}
			p.hasReplyTo = true
		case strings.EqualFold(string(key), "type") || strings.EqualFold(string(key), "msg_id") ||
			strings.EqualFold(string(key), "in_reply_to"):
			return p, false // encoding/json matches keys without case
		default:
			if i, ok = skipValue(b, i); !ok {
				return p, false
			}
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' && len(p.typ) > 0 {
			return p, true
		}
		return p, false
	}
	return p, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a string without escapes or control bytes at i and
// returns its bytes and the index after it.
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, i, false
		}
	}
	return nil, i, false
}

// plainInt reads an integer without fraction or exponent that fits an
// int64 at i and returns it and the index after it.
func plainInt(b []byte, i int) (int64, int, bool) {
	neg := i < len(b) && b[i] == '-'
	j := i
	if neg {
		j++
	}
	start := j
	var v uint64
	for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
		if v > (1<<63)/10 {
			return 0, i, false
		}
		v = v*10 + uint64(b[j]-'0')
	}
	switch {
	case j == start, j-start > 1 && b[start] == '0', v > 1<<63, v == 1<<63 && !neg:
		return 0, i, false
	case j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E'):
		return 0, i, false
	}
	if neg {
		return -int64(v), j, true
	}
	return int64(v), j, true
}

// skipValue skips one JSON value at i, returning the index after it. It
// checks only what it needs to find the value's end.
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			j := i + 1
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(b) {
				return i, false
			}
			i = j + 1
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, true
			}
			i++
		default:
			i++
		}
		if k := skipSpace(b, i); depth == 0 && k < len(b) && (b[k] == ',' || b[k] == '}') {
			return i, true
		}
	}
	return i, false
}
