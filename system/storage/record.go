package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Record layout, all integers little-endian:
//
//	[0:4)   payload length
//	[4]     record type
//	[5:8)   zero
//	[8:12)  CRC32C of the payload
//	[12:16) CRC32C of bytes [0:12)
//	[16:16+length) payload
//
// The header carries its own checksum so a damaged length is never trusted:
// recovery can tell "the file ends inside this record" (a torn write) from
// "this length is garbage" (corruption).
const (
	headerSize = 16

	// maxRecordSize bounds a record's payload; a valid header never claims
	// more, so a decoder never allocates or skips past it.
	maxRecordSize = 1 << 28

	// batchRecordSize is the payload size past which AppendLog starts a new
	// record for the rest of its entries.
	batchRecordSize = 1 << 20
)

// recordType says what a record's payload holds.
type recordType byte

const (
	// recSegment opens every segment: payload is the segment's sequence
	// number (u64).
	recSegment recordType = 1
	// recHardState sets term (u64) and vote (i64).
	recHardState recordType = 2
	// recEntries is AppendLog: first index (u64), count (u32), then count
	// times a length (u32) and that many bytes. Entries at and above the
	// first index are replaced.
	recEntries recordType = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors of decodeRecord, classified by the segment scanner into torn tails
// and corruption.
var (
	errShortHeader  = errors.New("file ends inside a record header")
	errBadHeader    = errors.New("record header checksum mismatch")
	errShortPayload = errors.New("file ends inside a record payload")
	errBadPayload   = errors.New("record payload checksum mismatch")
)

// record is one decoded record; payload aliases the decoded buffer.
type record struct {
	typ     recordType
	payload []byte
}

// appendRecord appends a record of type typ around payload to dst. The
// payload is produced in place by fill, which appends it to its argument:
// this avoids a copy for large entry batches.
func appendRecord(dst []byte, typ recordType, fill func([]byte) []byte) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, headerSize)...)
	dst = fill(dst)
	sealRecord(dst[start:], typ)
	return dst
}

// sealRecord fills in the header of the record occupying all of rec.
func sealRecord(rec []byte, typ recordType) {
	payload := rec[headerSize:]
	binary.LittleEndian.PutUint32(rec[0:4], uint32(len(payload)))
	rec[4] = byte(typ)
	rec[5], rec[6], rec[7] = 0, 0, 0
	binary.LittleEndian.PutUint32(rec[8:12], crc32.Checksum(payload, castagnoli))
	binary.LittleEndian.PutUint32(rec[12:16], crc32.Checksum(rec[0:12], castagnoli))
}

// decodeRecord decodes the record at the start of b and returns it and its
// encoded length. On error n is the number of bytes the record claims (zero
// when the header cannot be trusted).
func decodeRecord(b []byte) (r record, n int, err error) {
	if len(b) < headerSize {
		return record{}, 0, errShortHeader
	}
	if crc32.Checksum(b[0:12], castagnoli) != binary.LittleEndian.Uint32(b[12:16]) {
		return record{}, 0, errBadHeader
	}
	length := binary.LittleEndian.Uint32(b[0:4])
	if length > maxRecordSize || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return record{}, 0, errBadHeader
	}
	n = headerSize + int(length)
	if len(b) < n {
		return record{}, n, errShortPayload
	}
	payload := b[headerSize:n]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[8:12]) {
		return record{}, n, errBadPayload
	}
	return record{typ: recordType(b[4]), payload: payload}, n, nil
}

// appendSegmentPayload encodes a recSegment payload.
func appendSegmentPayload(dst []byte, seq uint64) []byte {
	return binary.LittleEndian.AppendUint64(dst, seq)
}

// parseSegmentPayload decodes a recSegment payload.
func parseSegmentPayload(p []byte) (seq uint64, err error) {
	if len(p) != 8 {
		return 0, fmt.Errorf("segment record of %d bytes, want 8: %w", len(p), ErrCorrupt)
	}
	return binary.LittleEndian.Uint64(p), nil
}

// hardState is Raft's persistent term and vote.
type hardState struct {
	term, votedFor int
}

// appendHardStatePayload encodes a recHardState payload.
func appendHardStatePayload(dst []byte, hs hardState) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(int64(hs.term)))
	return binary.LittleEndian.AppendUint64(dst, uint64(int64(hs.votedFor)))
}

// parseHardStatePayload decodes a recHardState payload.
func parseHardStatePayload(p []byte) (hardState, error) {
	if len(p) != 16 {
		return hardState{}, fmt.Errorf("hard-state record of %d bytes, want 16: %w", len(p), ErrCorrupt)
	}
	return hardState{
		term:     int(int64(binary.LittleEndian.Uint64(p[0:8]))),
		votedFor: int(int64(binary.LittleEndian.Uint64(p[8:16]))),
	}, nil
}

// appendEntriesPayload encodes a recEntries payload for entries placed at
// index onwards.
func appendEntriesPayload(dst []byte, index int, entries [][]byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(index))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(entries)))
	for _, e := range entries {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(e)))
		dst = append(dst, e...)
	}
	return dst
}

// parseEntriesPayload decodes a recEntries payload. The returned entries
// alias p.
func parseEntriesPayload(p []byte) (index int, entries [][]byte, err error) {
	if len(p) < 12 {
		return 0, nil, fmt.Errorf("entries record of %d bytes, want at least 12: %w", len(p), ErrCorrupt)
	}
	first := binary.LittleEndian.Uint64(p[0:8])
	count := binary.LittleEndian.Uint32(p[8:12])
	if first == 0 || first > 1<<62 {
		return 0, nil, fmt.Errorf("entries record at index %d: %w", first, ErrCorrupt)
	}
	p = p[12:]
	// Every entry takes at least four bytes, which bounds count before any
	// allocation.
	if uint64(count) > uint64(len(p))/4 {
		return 0, nil, fmt.Errorf("entries record claims %d entries in %d bytes: %w", count, len(p), ErrCorrupt)
	}
	entries = make([][]byte, count)
	for i := range entries {
		if len(p) < 4 {
			return 0, nil, fmt.Errorf("entries record truncated at entry %d: %w", i, ErrCorrupt)
		}
		l := binary.LittleEndian.Uint32(p[0:4])
		p = p[4:]
		if uint64(l) > uint64(len(p)) {
			return 0, nil, fmt.Errorf("entries record entry %d claims %d bytes, %d left: %w", i, l, len(p), ErrCorrupt)
		}
		entries[i] = p[:l:l]
		p = p[l:]
	}
	if len(p) != 0 {
		return 0, nil, fmt.Errorf("entries record has %d trailing bytes: %w", len(p), ErrCorrupt)
	}
	return int(first), entries, nil
}
