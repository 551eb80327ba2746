package checker

import (
	"strconv"
	"strings"
)

// secs formats run nanoseconds as seconds with prec (1..9) decimals,
// truncated: secs(12301000000, 3) = "12.301 s".
func secs(ns int64, prec int) string {
	if ns < 0 {
		return "-" + secs(-ns, prec)
	}
	frac := strconv.FormatInt(ns%1e9+1e9, 10)[1:] // 9 digits
	return strconv.FormatInt(ns/1e9, 10) + "." + frac[:prec] + " s"
}

// precFor returns the fewest decimals among 3, 6 and 9 that print every
// pair of distinct times in ts as distinct strings.
func precFor(ts ...int64) int {
	for _, p := range [...]int{3, 6} {
		seen := make(map[string]int64, len(ts))
		ok := true
		for _, t := range ts {
			s := secs(t, p)
			if u, dup := seen[s]; dup && u != t {
				ok = false
				break
			}
			seen[s] = t
		}
		if ok {
			return p
		}
	}
	return 9
}

// snippet quotes at most 24 bytes of s, marking a cut.
func snippet(s string) string {
	const n = 24
	if len(s) <= n {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:n]) + "..."
}

// plural returns "1 append" or "n appends".
func plural(n int, word string) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(n))
	b.WriteByte(' ')
	b.WriteString(word)
	if n != 1 {
		b.WriteByte('s')
	}
	return b.String()
}
