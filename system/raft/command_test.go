package raft

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"testing/quick"

	"faultline/transport/wire"
)

// commandSamples are values whose lengths cross every msgpack header size
// boundary, of the fast types and of others left to wire.
func commandSamples() []any {
	var out []any
	for _, n := range []int{0, 1, 16, 31, 32, 255, 256, 65535, 65536, 70000} {
		out = append(out, strings.Repeat("x", n), bytes.Repeat([]byte{0xa5}, n))
	}
	return append(out, []byte(nil), 7, int64(-3), []string{"a"}, struct{ A int }{1}, nil)
}

// TestCommandCodecMatchesWire checks the hand-written command codec
// against wire.EncodeAny and wire.DecodeAny, its naive twin.
func TestCommandCodecMatchesWire(t *testing.T) {
	wire.Register(struct{ A int }{})
	for _, v := range commandSamples() {
		want, err := wire.EncodeAny(v)
		if err != nil {
			t.Fatalf("wire.EncodeAny(%T): %v", v, err)
		}
		got, err := encodeCommand(v)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("encodeCommand(%T len %d) = % x, %v; wire: % x", v, lenOf(v), head(got), err, head(want))
		}
		checkDecode(t, got)
		if _, fast := decodeFast(got); fast != isFastType(v) {
			t.Errorf("decodeFast took %T: %v, want %v", v, fast, isFastType(v))
		}
	}
	strs := func(s string) bool {
		want, _ := wire.EncodeAny(s)
		got, _ := encodeCommand(s)
		v, ok := decodeFast(got)
		return bytes.Equal(got, want) && ok && v == s
	}
	blobs := func(b []byte) bool {
		want, _ := wire.EncodeAny(b)
		got, _ := encodeCommand(b)
		v, ok := decodeFast(got)
		return bytes.Equal(got, want) && ok && reflect.DeepEqual(v, b)
	}
	if err := quick.Check(strs, nil); err != nil {
		t.Error(err)
	}
	if err := quick.Check(blobs, nil); err != nil {
		t.Error(err)
	}
}

// TestDecodeCommandCopies checks that a decoded []byte does not alias the
// log entry it came from: the service may keep or change it.
func TestDecodeCommandCopies(t *testing.T) {
	enc, _ := encodeCommand([]byte("abc"))
	v, err := decodeCommand(enc)
	if err != nil {
		t.Fatal(err)
	}
	v.([]byte)[0] = 'z'
	again, _ := decodeCommand(enc)
	if string(again.([]byte)) != "abc" {
		t.Fatalf("changing a decoded command changed the entry: %q", again)
	}
}

// FuzzDecodeCommand feeds arbitrary bytes to the command decoder: it must
// agree with wire.DecodeAny on every input.
func FuzzDecodeCommand(f *testing.F) {
	for _, v := range commandSamples() {
		if b, err := encodeCommand(v); err == nil && len(b) < 1024 {
			f.Add(b)
		}
	}
	f.Add([]byte(cmdPrefix + cmdString + "\xc4\x02\xd9\x00"))
	f.Add([]byte(cmdPrefix + cmdBytes + "\xc5\x00\x02\xc4\x00"))
	f.Fuzz(checkDecode)
}

// checkDecode checks that decodeCommand(b) and wire.DecodeAny(b) agree.
func checkDecode(t *testing.T, b []byte) {
	t.Helper()
	want, wantErr := wire.DecodeAny(b)
	got, err := decodeCommand(b)
	if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeCommand(% x) = %#v, %v; wire.DecodeAny: %#v, %v", head(b), got, err, want, wantErr)
	}
}

func isFastType(v any) bool {
	switch v.(type) {
	case string, []byte:
		return true
	}
	return false
}

func lenOf(v any) int {
	switch c := v.(type) {
	case string:
		return len(c)
	case []byte:
		return len(c)
	}
	return -1
}

func head(b []byte) []byte { return b[:min(len(b), 40)] }
