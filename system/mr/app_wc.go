package mr

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// wcMap is word count's map: one pair (word, "1") per word, a word being a
// maximal run of letters (unicode.IsLetter), exactly as
// strings.FieldsFunc(contents, not IsLetter) splits, but without a closure
// call per rune and with an ASCII fast path.
func wcMap(_ string, contents string) []KeyValue {
	// English text averages about 5.3 bytes per word and separator:
	// reserve enough to avoid regrowing the slice on typical input.
	kvs := make([]KeyValue, 0, len(contents)/5+16)
	start := -1
	for i := 0; i < len(contents); {
		c := contents[i]
		size := 1
		var letter bool
		if c < utf8.RuneSelf {
			letter = asciiLetter[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(contents[i:])
			letter = unicode.IsLetter(r)
		}
		if letter {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			kvs = append(kvs, KeyValue{Key: contents[start:i], Value: "1"})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		kvs = append(kvs, KeyValue{Key: contents[start:], Value: "1"})
	}
	return kvs
}

// asciiLetter[c] says whether the ASCII byte c is a letter.
var asciiLetter = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = unicode.IsLetter(rune(c))
	}
	return t
}()

// wcReduce counts a word's occurrences: the sum of its values, each a
// count ("1" as wcMap emits it, or a map task's partial count when it
// combined its pairs with wcReduce); a value that is not a count counts
// once, as a pair.
func wcReduce(_ string, values []string) string {
	n := 0
	for _, v := range values {
		if v == "1" {
			n++
			continue
		}
		c, err := strconv.Atoi(v)
		if err != nil || c < 0 {
			c = 1
		}
		n += c
	}
	return strconv.Itoa(n)
}

// forEachWord calls fn for every word of s (split as wcMap splits).
func forEachWord(s string, fn func(word string)) {
	for _, kv := range wcMap("", s) {
		fn(kv.Key)
	}
}
