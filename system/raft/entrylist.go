package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"faultline/transport/wire"
)

// EntryList is the log entries an AppendEntries carries. It encodes itself
// (encoding.BinaryMarshaler, which the msgpack codec uses) as one compact
// byte string: a uvarint count, then per entry a uvarint term, a uvarint
// of len(Data)+1 (0 for nil Data) and the data. Encoding entries one by one
// through the codec's reflection cost a leader and its followers more CPU
// than anything else in an append, and gave every decoded entry its own
// allocation; decoded entries now share one buffer.
type EntryList []Entry

// errBadEntryList says an encoded EntryList does not decode.
var errBadEntryList = errors.New("raft: malformed entry list")

// MarshalBinary implements encoding.BinaryMarshaler.
func (l EntryList) MarshalBinary() ([]byte, error) {
	return l.appendList(make([]byte, 0, l.size())), nil
}

// size returns the length of l's encoding.
func (l EntryList) size() int {
	n := uvarintLen(uint64(len(l)))
	for _, e := range l {
		n += uvarintLen(uint64(e.Term)) + len(e.Data) + 1
		if e.Data != nil {
			n += uvarintLen(uint64(len(e.Data))+1) - 1
		}
	}
	return n
}

// appendList appends l's encoding to b.
func (l EntryList) appendList(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, e := range l {
		b = binary.AppendUvarint(b, uint64(e.Term))
		if e.Data == nil {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(e.Data))+1)
		b = append(b, e.Data...)
	}
	return b
}

// appendBin appends l's encoding as msgpack bin, as the reflective codec
// encodes what MarshalBinary returns, without building it apart first.
func (l EntryList) appendBin(b []byte) []byte {
	n := l.size()
	b = slices.Grow(wire.AppendBinHeader(b, n), n)
	return l.appendList(b)
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler. It copies b once;
// the entries' data share that copy.
func (l *EntryList) UnmarshalBinary(b []byte) error {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		if len(b) == 0 {
			*l = nil
			return nil
		}
		return fmt.Errorf("%w: bad count", errBadEntryList)
	}
	b = b[k:]
	// Each entry takes at least two bytes, which bounds a hostile count.
	if n > uint64(len(b)/2) {
		return fmt.Errorf("%w: %d entries in %d bytes", errBadEntryList, n, len(b))
	}
	if n == 0 {
		if len(b) != 0 {
			return fmt.Errorf("%w: %d bytes after the last entry", errBadEntryList, len(b))
		}
		*l = nil
		return nil
	}
	buf := append([]byte(nil), b...)
	out := make(EntryList, n)
	for i := range out {
		term, k := binary.Uvarint(buf)
		if k <= 0 || term > 1<<62 {
			return fmt.Errorf("%w: entry %d: bad term", errBadEntryList, i)
		}
		buf = buf[k:]
		size, k := binary.Uvarint(buf)
		if k <= 0 || size > uint64(len(buf)-k)+1 {
			return fmt.Errorf("%w: entry %d: bad length", errBadEntryList, i)
		}
		buf = buf[k:]
		out[i].Term = int(term)
		if size > 0 {
			d := int(size - 1)
			out[i].Data = buf[:d:d]
			buf = buf[d:]
		}
	}
	if len(buf) != 0 {
		return fmt.Errorf("%w: %d bytes after the last entry", errBadEntryList, len(buf))
	}
	*l = out
	return nil
}
