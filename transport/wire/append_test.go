package wire

import (
	"bytes"
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
