package mr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unsafe"
)

// Intermediate data (the content of mr-X-Y) is a sequence of groups, one per
// distinct key that map task X emitted for reduce task Y, in the order the
// keys were first emitted:
//
//	uvarint(len(key)) key uvarint(n) n × (uvarint(len(value)) value)
//
// with the key's n values in the order they were emitted. There is no
// header: an empty file holds no pairs. Grouping on the map side (as
// Hadoop's map-side spill does) combines nothing by itself: every value
// reaches the reduce function, unless the application has a combiner
// (App.Combine), which replaces a group's values by one. It writes each key once per map task rather than once
// per pair, so the data is small (word count's "1" values take 2 bytes
// each) and the reduce side does one lookup per group instead of one per
// pair. Decoding copies nothing.

// ErrCorrupt says intermediate data does not decode.
var ErrCorrupt = errors.New("mr: corrupt intermediate data")

// intermediateName is the file name of map task m's output for reduce task r.
func intermediateName(m, r int) string {
	return "mr-" + strconv.Itoa(m) + "-" + strconv.Itoa(r)
}

// outputName is the file name of reduce task r's output.
func outputName(r int) string { return "mr-out-" + strconv.Itoa(r) }

// appendString appends s with its uvarint length prefix.
func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// appendGroup appends one encoded group to buf.
func appendGroup(buf []byte, key string, values []string) []byte {
	buf = appendString(buf, key)
	buf = binary.AppendUvarint(buf, uint64(len(values)))
	for _, v := range values {
		buf = appendString(buf, v)
	}
	return buf
}

// partitionRecords groups kvs by key (groupByKey), replaces each group's
// values by combine's one result when combine is set (App.Combine), and
// encodes the groups into one buffer per reduce task, each sized before
// it is filled (exactly, when new).
// A key's partition is computed once, not once per pair. The grouping
// arrays and the buffers live in s (nil: fresh ones); the buffers are
// valid until the next call with s.
func partitionRecords(kvs []KeyValue, nReduce int, combine ReduceFunc, s *mapScratch) [][]byte {
	if s == nil {
		s = &mapScratch{}
	}
	keys, offsets, values := groupByKey(kvs, &s.group)
	if combine != nil {
		offsets, values = combineGroups(keys, offsets, values, combine)
	}
	parts := make([]int32, len(keys))
	sizes := make([]int, nReduce)
	for g, k := range keys {
		p := partition(k, nReduce)
		parts[g] = int32(p)
		n := int(offsets[g+1] - offsets[g])
		sizes[p] += uvarintLen(len(k)) + len(k) + uvarintLen(n)
		for _, v := range values[offsets[g]:offsets[g+1]] {
			sizes[p] += uvarintLen(len(v)) + len(v)
		}
	}
	bufs := grow(s.bufs, nReduce)
	for p := range bufs {
		if cap(bufs[p]) < sizes[p] {
			bufs[p] = make([]byte, 0, sizes[p])
		} else {
			bufs[p] = bufs[p][:0]
		}
	}
	s.bufs = bufs
	for g, k := range keys {
		p := parts[g]
		bufs[p] = appendGroup(bufs[p], k, values[offsets[g]:offsets[g+1]])
	}
	return bufs
}

// combineGroups replaces the values of each group (as groupByKey lays
// them out) by combine's result for them, one value per key.
func combineGroups(keys []string, offsets []int32, values []string, combine ReduceFunc) ([]int32, []string) {
	combined := make([]string, len(keys))
	for g, k := range keys {
		combined[g] = combine(k, values[offsets[g]:offsets[g+1]])
	}
	for g := range offsets {
		offsets[g] = int32(g)
	}
	return offsets, combined
}

// mapScratch is what a worker's map tasks reuse from one to the next: the
// grouping arrays and the partition buffers.
type mapScratch struct {
	group groupScratch
	bufs  [][]byte
}

// uvarintLen is the encoded length of n as a uvarint.
func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// bytesToString returns b as a string without copying. The caller must
// never modify b afterwards; every use here is of a buffer just read from a
// file or the network and then only read.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// decodeGroups appends the values of every group encoded in data, in
// order, to the slice into returns for the group's key, growing it once per
// group: a reduce task decodes straight into its grouper, with no copy
// through a scratch slice. Keys and values are substrings of data (no
// copies), except that one-byte values come from oneByte. It returns an
// error wrapping ErrCorrupt if data is malformed or truncated; the values
// of the groups before the damage are appended, those of the damaged group
// are not.
func decodeGroups(data string, into func(key string) *[]string) error {
	for i := 0; i < len(data); {
		key, n, next, err := decodeGroupHeader(data, i)
		if err != nil {
			return err
		}
		dst := into(key)
		before := len(*dst)
		values := slices.Grow(*dst, int(n))
		for j := uint64(0); j < n; j++ {
			var v string
			if next+1 < len(data) && data[next] == 1 {
				// Fast path for one-byte values (word count's "1").
				v = oneByte(data[next+1])
				next += 2
			} else {
				if v, next, err = decodeString(data, next); err != nil {
					*dst = values[:before]
					return err
				}
				if len(v) == 1 {
					v = oneByte(v[0])
				}
			}
			values = append(values, v)
		}
		*dst = values
		i = next
	}
	return nil
}

// decodeGroupHeader decodes the key and value count of the group that
// starts at byte i, and the offset of its first value.
func decodeGroupHeader(data string, i int) (key string, n uint64, next int, err error) {
	if key, next, err = decodeString(data, i); err != nil {
		return "", 0, 0, err
	}
	if n, next, err = decodeUvarint(data, next); err != nil {
		return "", 0, 0, err
	}
	// Every value takes at least one byte: a larger count is damage (and
	// must not size an allocation).
	if n > uint64(len(data)-next) {
		return "", 0, 0, fmt.Errorf("%w: %d values past end at byte %d", ErrCorrupt, n, next)
	}
	return key, n, next, nil
}

// countGroups calls fn with every group's key and number of values, in
// order, skipping the values themselves; it checks the data as
// decodeGroups does.
func countGroups(data string, fn func(key string, n int)) error {
	for i := 0; i < len(data); {
		key, n, next, err := decodeGroupHeader(data, i)
		if err != nil {
			return err
		}
		for j := uint64(0); j < n; j++ {
			if next < len(data) && data[next] < 0x80 && int(data[next]) < len(data)-next {
				next += 1 + int(data[next]) // fast path: a short value
				continue
			}
			if _, next, err = decodeString(data, next); err != nil {
				return err
			}
		}
		fn(key, int(n))
		i = next
	}
	return nil
}

// decodeUvarint reads one uvarint at data[i:].
func decodeUvarint(data string, i int) (uint64, int, error) {
	var n uint64
	for shift := uint(0); ; shift += 7 {
		if i >= len(data) {
			return 0, 0, fmt.Errorf("%w: truncated length at byte %d", ErrCorrupt, i)
		}
		b := data[i]
		i++
		if shift == 63 && b > 1 {
			return 0, 0, fmt.Errorf("%w: length overflows at byte %d", ErrCorrupt, i-1)
		}
		n |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return n, i, nil
		}
	}
}

// decodeString reads one uvarint-prefixed string at data[i:].
func decodeString(data string, i int) (string, int, error) {
	n, i, err := decodeUvarint(data, i)
	if err != nil {
		return "", 0, err
	}
	if n > uint64(len(data)-i) {
		return "", 0, fmt.Errorf("%w: length %d past end at byte %d", ErrCorrupt, n, i)
	}
	end := i + int(n)
	return data[i:end], end, nil
}
