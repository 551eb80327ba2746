package wire

import (
	"bytes"
	"runtime"
	"testing"
)

// TestAppendKeepsPrefix checks that Append appends after dst's contents,
// whether or not dst has room for the encoding.
func TestAppendKeepsPrefix(t *testing.T) {
	want, err := Marshal([]string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	for _, spare := range []int{0, 1, 1 << 10} {
		dst := make([]byte, 6, 6+spare)
		copy(dst, "HEADER")
		out, err := Append(dst, []string{"a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out, []byte("HEADER")) || !bytes.Equal(out[6:], want) {
			t.Errorf("spare %d: Append = %q, want %q", spare, out, append([]byte("HEADER"), want...))
		}
	}
}

// TestUnmarshalNilInput checks that decoding nil fails instead of reading a
// pooled decoder's previous input.
func TestUnmarshalNilInput(t *testing.T) {
	b, err := Marshal(7)
	if err != nil {
		t.Fatal(err)
	}
	var x int
	// Leave unread trailing input in the pooled decoder.
	if err := Unmarshal(append(b, b...), &x); err != nil {
		t.Fatal(err)
	}
	x = 0
	if err := Unmarshal(nil, &x); err == nil {
		t.Errorf("Unmarshal(nil) = nil error, decoded %d", x)
	}
}

// TestHostileLengthPrefix checks that a length prefix promising far more
// than the input holds fails without allocating what it promises.
func TestHostileLengthPrefix(t *testing.T) {
	// bin32 of 0xfffffff0 bytes, then 3 bytes; and array32 of that many.
	for _, in := range [][]byte{
		{0xc6, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3},
		{0xdd, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var b []byte
		var s []struct{ A, B, C, D [64]byte }
		errB, errS := Unmarshal(in, &b), Unmarshal(in, &s)
		runtime.ReadMemStats(&after)
		if errB == nil || errS == nil {
			t.Errorf("Unmarshal(%x) = %v, %v, want errors", in, errB, errS)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
			t.Errorf("Unmarshal(%x) allocated %d bytes", in, got)
		}
	}
}

// TestLargeBytes checks that a multi-megabyte []byte round-trips (the
// codec grows it in steps bounded by MaxInitLen).
func TestLargeBytes(t *testing.T) {
	in := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	enc, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	if err := Unmarshal(enc, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, out) {
		t.Fatal("16 MiB []byte did not round-trip")
	}
}

// TestMarshalOwnsResult checks that Marshal's results are not shared with
// later encodings, small or large.
func TestMarshalOwnsResult(t *testing.T) {
	for _, size := range []int{1, 100 << 10} {
		a, err := Marshal(bytes.Repeat([]byte{'a'}, size))
		if err != nil {
			t.Fatal(err)
		}
		want := bytes.Clone(a)
		for range 3 {
			if _, err := Marshal(bytes.Repeat([]byte{'b'}, size)); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(a, want) {
			t.Fatalf("size %d: a Marshal result changed after later Marshals", size)
		}
	}
}
