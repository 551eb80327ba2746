package exec

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// feedAll feeds s to a fresh scanner in chunks of size n.
func feedAll(s string, n int) error {
	var sc respScan
	for len(s) > 0 {
		k := min(n, len(s))
		if err := sc.feed([]byte(s[:k])); err != nil {
			return err
		}
		s = s[k:]
	}
	return nil
}

func TestRESPScan(t *testing.T) {
	big := strconv.Itoa(maxBulk + 1)
	for _, tc := range []struct {
		name, stream string
		hostile      bool
	}{
		{"simple", "+OK\r\n:12\r\n-ERR no\r\n", false},
		{"bulk", "$5\r\nhello\r\n$-1\r\n$0\r\n\r\n", false},
		{"bulk with a header inside", "$8\r\n$9999999\r\n+OK\r\n", false},
		{"array", "*2\r\n$1\r\na\r\n:1\r\n", false},
		{"huge bulk", "$" + big + "\r\n", true},
		{"huge verbatim", "=" + big + "\r\ntxt:", true},
		{"huge array", "*" + strconv.Itoa(maxElems+1) + "\r\n", true},
		{"bad length", "$12x\r\n", true},
		{"endless line", "+" + strings.Repeat("a", maxHeader+1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range []int{1, 3, len(tc.stream)} {
				err := feedAll(tc.stream, n)
				if tc.hostile != (err != nil) || (err != nil && !errors.Is(err, errHostile)) {
					t.Fatalf("chunks of %d: error %v, hostile %v", n, err, tc.hostile)
				}
			}
		})
	}
}

// FuzzRESPScan: the scanner never panics, and how the stream is cut into
// reads does not change its judgement.
func FuzzRESPScan(f *testing.F) {
	f.Add("$5\r\nhello\r\n*2\r\n:1\r\n", 2)
	f.Add("$99999999999\r\n", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = 1 + int(uint(n)%17)
		if (feedAll(s, n) == nil) != (feedAll(s, len(s)+1) == nil) {
			t.Fatalf("chunks of %d judge %q differently from one read", n, s)
		}
	})
}
