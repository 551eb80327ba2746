package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// fuzzSegment returns a small valid segment for the fuzz seed corpora.
func fuzzSegment() []byte {
	var b []byte
	b = appendRecord(b, recSegment, func(d []byte) []byte { return appendSegmentPayload(d, 1) })
	b = appendRecord(b, recHardState, func(d []byte) []byte { return appendHardStatePayload(d, hardState{3, 1}) })
	b = appendRecord(b, recEntries, func(d []byte) []byte { return appendEntriesPayload(d, 1, entriesFor(1, 3)) })
	b = appendRecord(b, recEntries, func(d []byte) []byte { return appendEntriesPayload(d, 2, [][]byte{{}, []byte("x")}) })
	return b
}

func FuzzDecodeRecord(f *testing.F) {
	seg := fuzzSegment()
	f.Add(seg, false)
	f.Add(seg[:headerSize], false)
	f.Add(seg[:headerSize+3], true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, seal bool) {
		if seal && len(data) >= headerSize {
			// Fix the checksums so the fuzzer gets past them to the length,
			// reserved-byte and payload checks.
			data = append([]byte(nil), data...)
			if l := int(binary.LittleEndian.Uint32(data[0:4])); l <= len(data)-headerSize {
				binary.LittleEndian.PutUint32(data[8:12], crc32.Checksum(data[headerSize:headerSize+l], castagnoli))
			}
			binary.LittleEndian.PutUint32(data[12:16], crc32.Checksum(data[0:12], castagnoli))
		}
		r, n, err := decodeRecord(data)
		if err != nil {
			if n < 0 || n > headerSize+maxRecordSize {
				t.Fatalf("error %v with claimed length %d", err, n)
			}
			return
		}
		if n < headerSize || n > len(data) || len(r.payload) != n-headerSize {
			t.Fatalf("decoded %d bytes of %d, payload %d", n, len(data), len(r.payload))
		}
		again := appendRecord(nil, r.typ, func(d []byte) []byte { return append(d, r.payload...) })
		if !bytes.Equal(again, data[:n]) {
			t.Fatalf("re-encoding differs:\n%x\n%x", again, data[:n])
		}
		// Payload parsers never panic, and what they accept re-encodes to
		// the same bytes.
		switch r.typ {
		case recEntries:
			index, ents, err := parseEntriesPayload(r.payload)
			if err == nil && !bytes.Equal(appendEntriesPayload(nil, index, ents), r.payload) {
				t.Fatal("entries payload re-encodes differently")
			}
		case recHardState:
			hs, err := parseHardStatePayload(r.payload)
			if err == nil && !bytes.Equal(appendHardStatePayload(nil, hs), r.payload) {
				t.Fatal("hard-state payload re-encodes differently")
			}
		case recSegment:
			seq, err := parseSegmentPayload(r.payload)
			if err == nil && !bytes.Equal(appendSegmentPayload(nil, seq), r.payload) {
				t.Fatal("segment payload re-encodes differently")
			}
		}
	})
}

// FuzzReplaySegment replays arbitrary bytes as the last segment of a log:
// recovery either fails with ErrCorrupt or finds a clean prefix that replays
// to the same state on its own.
func FuzzReplaySegment(f *testing.F) {
	seg := fuzzSegment()
	f.Add(seg)
	f.Add(seg[:len(seg)-5])
	f.Add(append(append([]byte(nil), seg...), make([]byte, 600)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, scan, err := replayBytes(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("replay error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if scan.end < 0 || scan.end > len(data) || (scan.end < len(data)) != scan.torn {
			t.Fatalf("scan end %d of %d, torn %v", scan.end, len(data), scan.torn)
		}
		if scan.end == 0 {
			return
		}
		l2 := newLogState(0)
		if _, _, err := replaySegment(&l2, 1, data[:scan.end], false); err != nil {
			t.Fatalf("clean prefix does not replay: %v", err)
		}
		if l2.hs != l.hs {
			t.Fatalf("hard state %+v, then %+v", l.hs, l2.hs)
		}
		if err := sameEntries(l2.entries, l.entries); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzReplayRecords seals arbitrary payloads into valid records behind a
// segment record and replays them over a snapshot at snapIndex, comparing
// the result with a naive twin that keeps the whole log.
func FuzzReplayRecords(f *testing.F) {
	var seed []byte
	seed = append(seed, byte(recHardState), 16, 0)
	seed = appendHardStatePayload(seed, hardState{2, 1})
	p := appendEntriesPayload(nil, 1, entriesFor(1, 3))
	seed = append(seed, byte(recEntries), byte(len(p)), byte(len(p)>>8))
	seed = append(seed, p...)
	p = appendEntriesPayload(nil, 2, [][]byte{[]byte("b")})
	seed = append(seed, byte(recEntries), byte(len(p)), byte(len(p)>>8))
	seed = append(seed, p...)
	f.Add(seed, uint8(0))
	f.Add(seed, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, snap uint8) {
		snapIndex := int(snap % 8)
		seg := appendRecord(nil, recSegment, func(d []byte) []byte { return appendSegmentPayload(d, 1) })
		twin := naiveLog{snapIndex: snapIndex, hs: hardState{votedFor: -1}}
		twinErr := false
		for len(data) >= 3 {
			typ := recordType(data[0] % 5)
			l := min(int(binary.LittleEndian.Uint16(data[1:3])), len(data)-3)
			payload := data[3 : 3+l]
			data = data[3+l:]
			seg = appendRecord(seg, typ, func(d []byte) []byte { return append(d, payload...) })
			if !twinErr && !twin.apply(typ, payload) {
				twinErr = true
			}
		}
		l := newLogState(snapIndex)
		_, scan, err := replaySegment(&l, 1, seg, true)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("replay error does not wrap ErrCorrupt: %v", err)
			}
			if !twinErr {
				t.Fatalf("replay failed, twin did not: %v", err)
			}
			return
		}
		if twinErr {
			t.Fatal("replay succeeded, twin failed")
		}
		if scan.torn || scan.end != len(seg) {
			t.Fatalf("sealed records scanned as torn at %d of %d", scan.end, len(seg))
		}
		if l.hs != twin.hs {
			t.Fatalf("hard state %+v, twin %+v", l.hs, twin.hs)
		}
		var want [][]byte
		if len(twin.full) > snapIndex {
			want = twin.full[snapIndex:]
		}
		if err := sameEntries(l.entries, want); err != nil {
			t.Fatal(err)
		}
	})
}

// naiveLog replays records into the whole log, placeholders included, and
// compacts only when asked for the result.
type naiveLog struct {
	snapIndex int
	hs        hardState
	full      [][]byte // full[i] is the entry at index i+1
}

// apply applies one record, reporting false where replay must fail.
func (n *naiveLog) apply(typ recordType, payload []byte) bool {
	switch typ {
	case recHardState:
		hs, err := parseHardStatePayload(payload)
		n.hs = hs
		return err == nil
	case recEntries:
		index, ents, err := parseEntriesPayload(payload)
		if err != nil || index > max(n.snapIndex, len(n.full))+1 {
			return false
		}
		for len(n.full) < index-1 {
			n.full = append(n.full, nil)
		}
		n.full = append(n.full[:index-1], ents...)
		return true
	}
	return false
}

// FuzzDecodeManifest decodes arbitrary manifest files; with seal, the body
// checksum and length are fixed first so the field checks are reached.
// Whatever decodes re-encodes to the same bytes.
func FuzzDecodeManifest(f *testing.F) {
	m := manifest{snapGen: 2, snapIndex: 40, snapTerm: 3, snapSize: 5, snapCRC: 7, firstSeg: 4, lastSeg: 9, state: []byte("state")}
	f.Add(m.encode(), false)
	f.Add((&manifest{firstSeg: 1}).encode(), false)
	f.Add(m.encode()[:30], true)
	f.Fuzz(func(t *testing.T, data []byte, seal bool) {
		if seal && len(data) >= fileHeaderSize {
			data = sealFile(manifestMagic, data[fileHeaderSize:])
		}
		got, err := decodeManifest(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if !bytes.Equal(got.encode(), data) {
			t.Fatalf("manifest %+v re-encodes differently", got)
		}
	})
}
