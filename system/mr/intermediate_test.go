package mr

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/quick"
)

func encodeAll(kvs []KeyValue) []byte {
	var b []byte
	for _, kv := range kvs {
		b = appendRecord(b, kv.Key, kv.Value)
	}
	return b
}

func decodeAll(data []byte) ([]KeyValue, error) {
	var out []KeyValue
	err := decodeRecords(string(data), func(k, v string) { out = append(out, KeyValue{k, v}) })
	return out, err
}

// TestIntermediateRoundTrip: any pairs decode to themselves.
func TestIntermediateRoundTrip(t *testing.T) {
	f := func(keys, values []string) bool {
		var kvs []KeyValue
		for i := range keys {
			v := ""
			if i < len(values) {
				v = values[i]
			}
			kvs = append(kvs, KeyValue{keys[i], v})
		}
		got, err := decodeAll(encodeAll(kvs))
		return err == nil && (len(kvs) == 0 && len(got) == 0 || reflect.DeepEqual(got, kvs))
	}
	if err := quick.Check(f, nil); err != nil {
		t.Fatal(err)
	}
	long := string(make([]byte, 300)) // a two-byte length prefix
	if got, err := decodeAll(encodeAll([]KeyValue{{long, "1"}})); err != nil || got[0].Key != long {
		t.Fatalf("long key: %v", err)
	}
}

// TestIntermediateCorrupt: every truncation of valid data, and a few
// malformed inputs, fail with ErrCorrupt instead of panicking or returning
// made-up pairs.
func TestIntermediateCorrupt(t *testing.T) {
	data := encodeAll([]KeyValue{{"hello", "1"}, {"world", "22"}})
	for n := 1; n < len(data); n++ {
		if n == 8 { // "hello" "1" is a whole record
			continue
		}
		if _, err := decodeAll(data[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: err = %v, want ErrCorrupt", n, err)
		}
	}
	for _, bad := range [][]byte{
		{0x05, 'a'}, // length past the end
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, // overflowing varint
		{0x80}, // unterminated varint
	} {
		if _, err := decodeAll(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%x: err = %v, want ErrCorrupt", bad, err)
		}
	}
}

// FuzzDecodeRecords: decoding never panics, and whatever decodes
// re-encodes to the same bytes.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeAll([]KeyValue{{"a", "1"}, {"b", ""}}))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		kvs, err := decodeAll(data)
		if err != nil {
			return
		}
		if got := encodeAll(kvs); string(got) != string(data) {
			t.Fatalf("%x decoded to %q which encodes to %x", data, kvs, got)
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
