package raft

import (
	"bytes"
	"testing"
)

// FuzzDecodeState feeds arbitrary bytes to the persisted-state decoder: it
// must fail cleanly or produce an image that survives a round trip.
func FuzzDecodeState(f *testing.F) {
	im := newLogImage()
	im.term, im.vote = 3, 1
	_ = im.appendLog(1, [][]byte{appendEntry(nil, Entry{Term: 1, Data: []byte("a")}), appendEntry(nil, Entry{Term: 3, Data: []byte("bc")})})
	f.Add(im.encode())
	im.compact(1, 1)
	f.Add(im.encode())
	f.Add([]byte(stateMagic))
	f.Add([]byte("RFT1\x01\x00\x00\x00\x05ab"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got := newLogImage()
		if err := got.decode(b); err != nil {
			return
		}
		again := newLogImage()
		if err := again.decode(got.encode()); err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
		if again.term != got.term || again.vote != got.vote || again.snapIndex != got.snapIndex || again.snapTerm != got.snapTerm {
			t.Fatalf("header changed in a round trip: %+v vs %+v", again, got)
		}
		a, g := again.entries(), got.entries()
		if len(a) != len(g) {
			t.Fatalf("%d entries after a round trip, want %d", len(a), len(g))
		}
		for i := range a {
			if !bytes.Equal(a[i], g[i]) {
				t.Fatalf("entry %d changed in a round trip", i)
			}
		}
		if got.size() != len(got.encode()) {
			t.Fatalf("size %d, encoding has %d bytes", got.size(), len(got.encode()))
		}
	})
}

// FuzzDecodeEntry feeds arbitrary bytes to the stored-entry decoder.
func FuzzDecodeEntry(f *testing.F) {
	f.Add(appendEntry(nil, Entry{Term: 7, Data: []byte("cmd")}))
	f.Add([]byte{0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			return
		}
		back, err := decodeEntry(appendEntry(nil, e))
		if err != nil || back.Term != e.Term || !bytes.Equal(back.Data, e.Data) {
			t.Fatalf("entry %+v does not survive a round trip: %+v, %v", e, back, err)
		}
	})
}
