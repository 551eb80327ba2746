package history

import (
	"errors"
	"strings"
	"testing"
	"testing/quick"
)

func TestTokenText(t *testing.T) {
	for _, tc := range []struct {
		tok  Token
		text string
	}{
		{Token{0, 0}, "c0.s0;"},
		{Token{12, 345}, "c12.s345;"},
		{Token{999999999, 1 << 40}, "c999999999.s1099511627776;"},
	} {
		if got := tc.tok.String(); got != tc.text {
			t.Errorf("%v.String() = %q, want %q", tc.tok, got, tc.text)
		}
		got, n, err := ParseToken(tc.text + "c1.s1;")
		if err != nil || got != tc.tok || n != len(tc.text) {
			t.Errorf("ParseToken(%q) = %v, %d, %v", tc.text, got, n, err)
		}
	}
}

func TestTokenRoundTripQuick(t *testing.T) {
	f := func(c, s uint32) bool {
		tok := Token{int(c), int(s)}
		got, n, err := ParseToken(tok.String())
		return err == nil && got == tok && n == len(tok.String())
	}
	if err := quick.Check(f, nil); err != nil {
		t.Fatal(err)
	}
}

func TestParseTokenErrors(t *testing.T) {
	for _, bad := range []string{
		"", "c", "c1", "c1.", "c1.s", "c1.s2", "x1.s2;", "c.s2;", "c1.s;", "c01.s2;", "c1.s02;",
		"c1,s2;", "c-1.s2;", "c1.s2:", "c1234567890123456789.s1;", "C1.S2;",
	} {
		if _, _, err := ParseToken(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("ParseToken(%q) err = %v, want ErrBadToken", bad, err)
		}
	}
}

func TestSplitTokens(t *testing.T) {
	toks, err := SplitTokens("c1.s0;c2.s0;c1.s1;")
	if err != nil || len(toks) != 3 || toks[2] != (Token{1, 1}) {
		t.Fatalf("SplitTokens = %v, %v", toks, err)
	}
	if toks, err := SplitTokens(""); err != nil || len(toks) != 0 {
		t.Fatalf("SplitTokens(\"\") = %v, %v", toks, err)
	}
	toks, err = SplitTokens("c1.s0;c2.s0c1.s1;")
	if err == nil || len(toks) != 1 || !strings.Contains(err.Error(), "at byte 6") {
		t.Fatalf("SplitTokens(bad) = %v, %v; want 1 token and an error at byte 6", toks, err)
	}
}

func TestNegativeTokenPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("negative token did not panic")
		}
	}()
	_ = Token{-1, 0}.String()
}
