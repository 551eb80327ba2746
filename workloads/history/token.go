package history

import (
	"errors"
	"fmt"
	"strconv"
)

// Token is one unique append of the append workload: client Client's Seq-th
// append. Its text form is "c<client>.s<seq>;", for example "c12.s345;",
// with both numbers in canonical decimal (no sign, no leading zeros). The
// trailing ';' makes tokens self-delimiting, so a value that is a
// concatenation of tokens splits back into them unambiguously; canonical
// digits make the text of a token unique.
type Token struct {
	Client int
	Seq    int
}

// maxTokenDigits bounds each number so that parsing cannot overflow int64.
const maxTokenDigits = 18

// ErrBadToken is wrapped by every token parsing error.
var ErrBadToken = errors.New("bad append token")

// String returns the token's text form, "c<client>.s<seq>;". It panics if
// either number is negative (such a token cannot be parsed back).
func (t Token) String() string {
	return string(t.AppendTo(make([]byte, 0, 24)))
}

// AppendTo appends the token's text form to dst.
func (t Token) AppendTo(dst []byte) []byte {
	if t.Client < 0 || t.Seq < 0 {
		panic(fmt.Sprintf("history: negative token number c%d s%d", t.Client, t.Seq))
	}
	dst = append(dst, 'c')
	dst = strconv.AppendInt(dst, int64(t.Client), 10)
	dst = append(dst, '.', 's')
	dst = strconv.AppendInt(dst, int64(t.Seq), 10)
	return append(dst, ';')
}

// ParseToken parses the token at the start of s and returns it with its
// length in bytes.
func ParseToken(s string) (Token, int, error) {
	var t Token
	i := 0
	if i >= len(s) || s[i] != 'c' {
		return t, 0, fmt.Errorf("%w: want 'c' at byte 0", ErrBadToken)
	}
	i++
	c, n, err := parseTokenNumber(s[i:])
	if err != nil {
		return t, 0, fmt.Errorf("%w: client number at byte %d: %v", ErrBadToken, i, err)
	}
	i += n
	if i+1 >= len(s) || s[i] != '.' || s[i+1] != 's' {
		return t, 0, fmt.Errorf("%w: want \".s\" at byte %d", ErrBadToken, i)
	}
	i += 2
	q, n, err := parseTokenNumber(s[i:])
	if err != nil {
		return t, 0, fmt.Errorf("%w: sequence number at byte %d: %v", ErrBadToken, i, err)
	}
	i += n
	if i >= len(s) || s[i] != ';' {
		return t, 0, fmt.Errorf("%w: want ';' at byte %d", ErrBadToken, i)
	}
	return Token{Client: c, Seq: q}, i + 1, nil
}

// parseTokenNumber parses a canonical decimal at the start of s.
func parseTokenNumber(s string) (int, int, error) {
	n := 0
	v := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		if n == maxTokenDigits {
			return 0, 0, fmt.Errorf("more than %d digits", maxTokenDigits)
		}
		v = v*10 + int(s[n]-'0')
		n++
	}
	switch {
	case n == 0:
		return 0, 0, errors.New("no digits")
	case n > 1 && s[0] == '0':
		return 0, 0, errors.New("leading zero")
	}
	return v, n, nil
}

// SplitTokens parses a value made of concatenated tokens. An error names the
// byte offset of the first malformed token; the tokens before it are
// returned with it.
func SplitTokens(value string) ([]Token, error) {
	var out []Token
	for off := 0; off < len(value); {
		t, n, err := ParseToken(value[off:])
		if err != nil {
			return out, fmt.Errorf("at byte %d: %w", off, err)
		}
		out = append(out, t)
		off += n
	}
	return out, nil
}
