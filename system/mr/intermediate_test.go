package mr

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/quick"
)

// group is one decoded group.
type group struct {
	Key    string
	Values []string
}

func encodeGroups(groups []group) []byte {
	var b []byte
	for _, g := range groups {
		b = appendGroup(b, g.Key, g.Values)
	}
	return b
}

func decodeAll(data []byte) ([]group, error) {
	var out []group
	err := decodeGroups(string(data), func(k string) *[]string {
		out = append(out, group{k, []string{}})
		return &out[len(out)-1].Values
	})
	return out, err
}

// naiveGroups groups kvs by key in order of first appearance.
func naiveGroups(kvs []KeyValue) []group {
	var out []group
	index := map[string]int{}
	for _, kv := range kvs {
		i, ok := index[kv.Key]
		if !ok {
			i = len(out)
			index[kv.Key] = i
			out = append(out, group{Key: kv.Key, Values: []string{}})
		}
		out[i].Values = append(out[i].Values, kv.Value)
	}
	return out
}

// TestPartitionRoundTrip: partitionRecords puts every key in its
// partition, groups its values in emission order, sizes every buffer
// exactly, and decodes back to the naive grouping.
func TestPartitionRoundTrip(t *testing.T) {
	f := func(keys, values []string, n uint8) bool {
		nReduce := int(n)%5 + 1
		var kvs []KeyValue
		for i, k := range keys {
			v := ""
			if len(values) > 0 {
				v = values[i%len(values)]
			}
			kvs = append(kvs, KeyValue{k, v}, KeyValue{k, v + "x"}) // repeated keys
		}
		bufs := partitionRecords(kvs, nReduce, nil, nil)
		var got []group
		for p, b := range bufs {
			if len(b) != cap(b) {
				return false
			}
			groups, err := decodeAll(b)
			if err != nil {
				return false
			}
			for _, g := range groups {
				if partition(g.Key, nReduce) != p {
					return false
				}
			}
			got = append(got, groups...)
		}
		want := naiveGroups(kvs)
		slices.SortFunc(got, func(a, b group) int { return strings.Compare(a.Key, b.Key) })
		slices.SortFunc(want, func(a, b group) int { return strings.Compare(a.Key, b.Key) })
		return reflect.DeepEqual(got, want) || len(got) == 0 && len(want) == 0
	}
	if err := quick.Check(f, nil); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("k", 300) // two-byte length prefixes
	got, err := decodeAll(encodeGroups([]group{{long, []string{long, "1", ""}}}))
	if err != nil || got[0].Key != long || !slices.Equal(got[0].Values, []string{long, "1", ""}) {
		t.Fatalf("long key: %v %v", got, err)
	}
}

// TestIntermediateCorrupt: every truncation of valid data, and a few
// malformed inputs, fail with ErrCorrupt instead of panicking or returning
// made-up groups.
func TestIntermediateCorrupt(t *testing.T) {
	data := encodeGroups([]group{{"hello", []string{"1", "22"}}, {"world", []string{"333"}}})
	first := len(encodeGroups([]group{{"hello", []string{"1", "22"}}}))
	for n := 1; n < len(data); n++ {
		if n == first { // a whole group
			continue
		}
		if _, err := decodeAll(data[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: err = %v, want ErrCorrupt", n, err)
		}
	}
	for _, bad := range [][]byte{
		{0x05, 'a'}, // key length past the end
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, // overflowing varint
		{0x80},                                   // unterminated varint
		{0x01, 'a', 0xff, 0xff, 0x03, 0x01, '1'}, // more values than bytes
	} {
		if _, err := decodeAll(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%x: err = %v, want ErrCorrupt", bad, err)
		}
	}
}

// FuzzDecodeGroups: decoding never panics, and whatever decodes
// re-encodes to data that decodes to the same groups.
func FuzzDecodeGroups(f *testing.F) {
	f.Add(encodeGroups([]group{{"a", []string{"1"}}, {"b", []string{""}}}))
	f.Add(partitionRecords(wcMap("", "the cat and the hat"), 1, nil, nil)[0])
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		groups, err := decodeAll(data)
		var counted []group
		cerr := countGroups(string(data), func(k string, n int) {
			counted = append(counted, group{Key: k, Values: make([]string, n)})
		})
		if (err == nil) != (cerr == nil) {
			t.Fatalf("%x: decode err %v, count err %v", data, err, cerr)
		}
		if err != nil {
			return
		}
		for i := range groups {
			if counted[i].Key != groups[i].Key || len(counted[i].Values) != len(groups[i].Values) {
				t.Fatalf("%x: counted %q, decoded %q", data, counted, groups)
			}
		}
		again, err := decodeAll(encodeGroups(groups))
		if err != nil || !reflect.DeepEqual(again, groups) {
			t.Fatalf("%x decoded to %q, which re-decodes to %q (%v)", data, groups, again, err)
		}
	})
}

// TestAtomicFile: nothing appears under the final name before Commit; Abort
// leaves nothing at all.
func TestAtomicFile(t *testing.T) {
	dir := t.TempDir()
	a, err := createAtomic(dir, "mr-out-0")
	if err != nil {
		t.Fatal(err)
	}
	a.WriteString("x 1\n")
	if _, err := os.Stat(filepath.Join(dir, "mr-out-0")); !os.IsNotExist(err) {
		t.Fatalf("final file visible before commit: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "mr-out*")); len(m) != 0 {
		t.Fatalf("temporary file matches mr-out*: %v", m)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "mr-out-0")); err != nil || string(b) != "x 1\n" {
		t.Fatalf("after commit: %q %v", b, err)
	}
	b, _ := createAtomic(dir, "mr-out-1")
	b.WriteString("y")
	b.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("abort left files: %v", entries)
	}
	if err := writeFileAtomic(dir, "mr-0-0", []byte("data")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "mr-0-0")); string(got) != "data" {
		t.Fatalf("writeFileAtomic wrote %q", got)
	}
}

// TestUvarintLen: uvarintLen agrees with binary.AppendUvarint.
func TestUvarintLen(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 16383, 16384, 1 << 40} {
		if got, want := uvarintLen(n), len(binary.AppendUvarint(nil, uint64(n))); got != want {
			t.Fatalf("uvarintLen(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestOneByte(t *testing.T) {
	for b := 0; b < 256; b++ {
		if s := oneByte(byte(b)); len(s) != 1 || s[0] != byte(b) {
			t.Fatalf("oneByte(%d) = %q", b, s)
		}
	}
}

// TestCombinedPartitionCounts: a word-count map task combined with
// wcReduce writes one value per word, its count in the task, and reducing
// the combined groups of several tasks gives each word's total, as the
// sequential run counts it.
func TestCombinedPartitionCounts(t *testing.T) {
	texts := []string{"the cat and the hat", "The hat, the bat; the END", "", "a a a a b"}
	want := map[string]int{}
	got := map[string][]string{}
	for _, text := range texts {
		kvs := wcMap("", text)
		for _, kv := range kvs {
			want[kv.Key]++
		}
		for _, b := range partitionRecords(kvs, 3, wcReduce, nil) {
			groups, err := decodeAll(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range groups {
				if len(g.Values) != 1 {
					t.Fatalf("%q: %d values after combining, want 1", g.Key, len(g.Values))
				}
				got[g.Key] = append(got[g.Key], g.Values...)
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d words, want %d", len(got), len(want))
	}
	for k, n := range want {
		if r := wcReduce(k, got[k]); r != strconv.Itoa(n) {
			t.Errorf("%q: reduced %s, want %d", k, r, n)
		}
	}
}

// TestWCReduceSums: wcReduce sums counts; a value that is not a count
// counts once.
func TestWCReduceSums(t *testing.T) {
	if got := wcReduce("w", []string{"1", "1", "12", "x", "-3"}); got != "16" {
		t.Fatalf("wcReduce = %s, want 16", got)
	}
	if got := wcReduce("w", nil); got != "0" {
		t.Fatalf("wcReduce of nothing = %s, want 0", got)
	}
}
