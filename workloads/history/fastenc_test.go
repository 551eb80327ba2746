package history

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// encodeSlow is what Writer wrote before appendOpLine: the encoder.
func encodeSlow(t *testing.T, op Op) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(wireOp{Type: "op", Op: op}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAppendOpLineMatchesJSON: the hand-written op line is byte for byte
// the encoder's, for ops with every optional field set or empty and
// strings that need escaping (quotes, backslashes, control characters,
// U+2028 and U+2029, HTML characters, which stay unescaped), and for
// random ops.
func TestAppendOpLineMatchesJSON(t *testing.T) {
	odd := []string{"", "k1", `say "hi"`, `back\slash`, "tab\there", "nl\n", "\x01\x1f", "line\u2028sep\u2029",
		"<a href='x'>&amp;</a>", "héllo wörld ✓", "\u00e2\u0080", "e2 lead: \u2022 bullet"}
	ops := []Op{
		{Client: 0, Kind: Get, Key: "k", Invoke: 0, Complete: 0, Outcome: OK},
		{Client: 63, Kind: Put, Key: "k12", Value: strings.Repeat(".", 128), Invoke: 12, Complete: 99, Outcome: Info, Node: "n1", Error: `rpc error: code = Unavailable desc = "no leader"`},
		{Client: 7, Kind: CAS, Key: "r", Value: "b", Expect: "a", Output: "a", Invoke: 1 << 40, Complete: 1<<40 + 1, Outcome: Fail},
	}
	r := rand.New(rand.NewPCG(1, 2))
	kinds := []Kind{Get, Put, Append, CAS, Read, Write}
	outcomes := []Outcome{OK, Fail, Info}
	for range 2000 {
		op := Op{Client: r.IntN(1000), Kind: kinds[r.IntN(len(kinds))], Key: odd[r.IntN(len(odd))],
			Value: odd[r.IntN(len(odd))], Output: odd[r.IntN(len(odd))], Invoke: r.Int64N(1 << 50),
			Outcome: outcomes[r.IntN(len(outcomes))], Node: odd[r.IntN(len(odd))], Error: odd[r.IntN(len(odd))]}
		op.Complete = op.Invoke + r.Int64N(1e9)
		if op.Kind == CAS {
			op.Expect = odd[r.IntN(len(odd))]
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		want := encodeSlow(t, op)
		if got := appendOpLine(nil, &op); !bytes.Equal(got, want) {
			t.Fatalf("op %v:\n got %s\nwant %s", op, got, want)
		}
	}
}

// TestPlainASCII: plainASCII agrees with a byte-by-byte test for every
// byte value at every position of strings of 1 to 24 bytes.
func TestPlainASCII(t *testing.T) {
	slow := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	for n := 1; n <= 24; n++ {
		b := []byte(strings.Repeat("a", n))
		for i := range b {
			for c := range 256 {
				b[i] = byte(c)
				if s := string(b); plainASCII(s) != slow(s) {
					t.Fatalf("plainASCII(%q) = %v", s, !slow(s))
				}
			}
			b[i] = 'a'
		}
	}
}
