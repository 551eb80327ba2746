package mr

import (
	"slices"
	"strconv"
	"strings"
)

// indexerMap is the inverted index's map: one pair (word, document) per
// distinct word of the document.
func indexerMap(document string, contents string) []KeyValue {
	seen := make(map[string]bool)
	var kvs []KeyValue
	forEachWord(contents, func(w string) {
		if !seen[w] {
			seen[w] = true
			kvs = append(kvs, KeyValue{Key: w, Value: document})
		}
	})
	return kvs
}

// indexerReduce lists the documents containing a word: their number, then
// their names sorted and comma-separated.
func indexerReduce(_ string, values []string) string {
	docs := slices.Clone(values)
	slices.Sort(docs)
	return strconv.Itoa(len(docs)) + " " + strings.Join(docs, ",")
}
