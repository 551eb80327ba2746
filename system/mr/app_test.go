package mr

import (
	"bytes"
	"errors"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"unicode"
)

// naiveWords is the course's word split, the twin wcMap must match.
func naiveWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
}

func wcKeys(s string) []string {
	var out []string
	for _, kv := range wcMap("f", s) {
		if kv.Value != "1" {
			panic("value " + kv.Value)
		}
		out = append(out, kv.Key)
	}
	return out
}

// TestWordSplitMatchesFieldsFunc checks the fast splitter against
// strings.FieldsFunc on random strings, tricky ones and the corpus.
func TestWordSplitMatchesFieldsFunc(t *testing.T) {
	same := func(s string) bool { return slices.Equal(wcKeys(s), naiveWords(s)) }
	if err := quick.Check(same, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"", "a", " a ", "héllo wörld", "naïve—café", "\xff\xfeab\xc3", "日本語 テキスト", "x1y2z", "ǅemal"} {
		if !same(s) {
			t.Fatalf("%q: got %q, want %q", s, wcKeys(s), naiveWords(s))
		}
	}
	for _, f := range gutenbergFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !same(string(b)) {
			t.Fatalf("%s: splits differ", f)
		}
	}
}

// FuzzWordSplit compares the splitters on fuzzed input.
func FuzzWordSplit(f *testing.F) {
	f.Add("héllo, wörld\xff!")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := wcKeys(s), naiveWords(s); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
	})
}

// TestPartitionMatchesFNV: partition is the course's ihash (FNV-1a, 31
// bits) modulo nReduce.
func TestPartitionMatchesFNV(t *testing.T) {
	f := func(key string, n uint8) bool {
		nReduce := int(n)%16 + 1
		h := fnv.New32a()
		h.Write([]byte(key))
		return partition(key, nReduce) == int(h.Sum32()&0x7fffffff)%nReduce
	}
	if err := quick.Check(f, nil); err != nil {
		t.Fatal(err)
	}
}

func TestLookupApp(t *testing.T) {
	for _, name := range AppNames() {
		app, err := OpenApp(name)
		if err != nil || app.Map == nil || app.Reduce == nil || app.Name != name {
			t.Fatalf("%s: %+v %v", name, app, err)
		}
	}
	if _, err := LookupApp("nope"); !errors.Is(err, ErrUnknownApp) {
		t.Fatalf("unknown app: err = %v", err)
	}
	if _, err := OpenApp(filepath.Join(t.TempDir(), "missing.so")); err == nil {
		t.Fatal("missing plugin loaded")
	}
}

func TestIndexerApp(t *testing.T) {
	kvs := indexerMap("doc1", "the cat saw the dog")
	var keys []string
	for _, kv := range kvs {
		if kv.Value != "doc1" {
			t.Fatalf("value %q", kv.Value)
		}
		keys = append(keys, kv.Key)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"cat", "dog", "saw", "the"}) {
		t.Fatalf("keys %q", keys)
	}
	if got := indexerReduce("the", []string{"d2", "d1", "d3"}); got != "3 d1,d2,d3" {
		t.Fatalf("reduce: %q", got)
	}
}

// naiveSequential is the course's mrsequential: collect every pair, sort
// them all by key, reduce each run of equal keys.
func naiveSequential(t *testing.T, app App, files []string) []byte {
	var all []KeyValue
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, app.Map(f, string(b))...)
	}
	slices.SortStableFunc(all, func(a, b KeyValue) int { return strings.Compare(a.Key, b.Key) })
	var out bytes.Buffer
	for i := 0; i < len(all); {
		j := i
		var values []string
		for ; j < len(all) && all[j].Key == all[i].Key; j++ {
			values = append(values, all[j].Value)
		}
		out.WriteString(all[i].Key + " " + app.Reduce(all[i].Key, values) + "\n")
		i = j
	}
	return out.Bytes()
}

// TestSequentialMatchesNaive: the reference agrees byte for byte with the
// course's sort-everything algorithm.
func TestSequentialMatchesNaive(t *testing.T) {
	all := gutenbergFiles(t)
	for _, name := range []string{"wc", "indexer", "nocrash"} {
		app, _ := LookupApp(name)
		files := all
		if name == "wc" {
			files = all[:2] // sorting every pair is slow under -race
		}
		var got bytes.Buffer
		if err := Sequential(app, files, &got); err != nil {
			t.Fatal(err)
		}
		if want := naiveSequential(t, app, files); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%s: sequential output differs from the naive one (%d vs %d bytes)", name, got.Len(), len(want))
		}
	}
	if err := Sequential(builtinApps["wc"], []string{filepath.Join(t.TempDir(), "missing")}, &bytes.Buffer{}); err == nil {
		t.Fatal("missing input: no error")
	}
}

// TestGroupByKey checks the counting sort against naive grouping.
func TestGroupByKey(t *testing.T) {
	f := func(keys []uint8, values []string) bool {
		var kvs []KeyValue
		for i, k := range keys {
			v := ""
			if len(values) > 0 {
				v = values[i%len(values)]
			}
			kvs = append(kvs, KeyValue{string(rune('a' + k%7)), v})
		}
		gotKeys, offsets, vals := groupByKey(kvs, nil)
		want := naiveGroups(kvs)
		if len(gotKeys) != len(want) || len(offsets) != len(want)+1 {
			return false
		}
		for i, g := range want {
			if gotKeys[i] != g.Key || !slices.Equal(vals[offsets[i]:offsets[i+1]], g.Values) {
				return false
			}
		}
		return true
	}
	if err := quick.Check(f, nil); err != nil {
		t.Fatal(err)
	}
}
