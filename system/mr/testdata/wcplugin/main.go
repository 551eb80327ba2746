// Command wcplugin is a word-count application in the course's plugin
// shape, built by the plugin test with go build -buildmode=plugin.
package main

import (
	"strconv"
	"strings"
	"unicode"

	"faultline/system/mr"
)

// Map emits (word, "1") for every word of contents.
func Map(filename string, contents string) []mr.KeyValue {
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	var kvs []mr.KeyValue
	for _, w := range strings.FieldsFunc(contents, notLetter) {
		kvs = append(kvs, mr.KeyValue{Key: w, Value: "1"})
	}
	return kvs
}

// Reduce counts a word's occurrences.
func Reduce(key string, values []string) string {
	return strconv.Itoa(len(values))
}
