package raft

import (
	"bytes"
	"reflect"
	"testing"

	"faultline/transport/wire"
)

// TestEntryListWire checks that AppendEntriesArgs travel with their entries
// in EntryList's own encoding and come back equal, nil data included.
func TestEntryListWire(t *testing.T) {
	ents := EntryList{{Term: 1, Data: []byte("a")}, {Term: 2, Data: nil}, {Term: 2, Data: []byte{}}, {Term: 1 << 40, Data: bytes.Repeat([]byte{7}, 300)}}
	for _, args := range []AppendEntriesArgs{
		{Term: 3, LeaderID: 1, PrevLogIndex: 9, PrevLogTerm: 2, Entries: ents, LeaderCommit: 8},
		{Term: 3, LeaderID: 1, Heartbeat: true},
	} {
		b, err := wire.Marshal(&args)
		if err != nil {
			t.Fatal(err)
		}
		if len(args.Entries) > 0 {
			own, _ := args.Entries.MarshalBinary()
			if !bytes.Contains(b, own) {
				t.Fatalf("the codec did not use EntryList.MarshalBinary: % x", b)
			}
		}
		var got AppendEntriesArgs
		if err := wire.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if len(args.Entries) == 0 {
			args.Entries = nil
		}
		if !reflect.DeepEqual(got, args) {
			t.Fatalf("round trip: got %+v, want %+v", got, args)
		}
	}
}

// FuzzEntryList feeds arbitrary bytes to EntryList.UnmarshalBinary: it
// must fail cleanly or decode a list that survives a round trip.
func FuzzEntryList(f *testing.F) {
	for _, l := range []EntryList{nil, {{Term: 1, Data: []byte("x")}}, {{Term: 5}, {Term: 6, Data: []byte{}}}} {
		b, _ := l.MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		var l EntryList
		if err := l.UnmarshalBinary(b); err != nil {
			return
		}
		back, _ := l.MarshalBinary()
		var again EntryList
		if err := again.UnmarshalBinary(back); err != nil || !reflect.DeepEqual(again, l) {
			t.Fatalf("decoded %+v does not survive a round trip: %+v, %v", l, again, err)
		}
	})
}
