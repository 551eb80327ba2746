package mr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Intermediate data (the content of mr-X-Y) is a sequence of records, each
// uvarint(len(key)) key uvarint(len(value)) value. There is no header: an
// empty file holds no pairs. The format is compact (a word-count pair
// "the"/"1" takes 6 bytes) and decodes without copying.

// ErrCorrupt says intermediate data does not decode.
var ErrCorrupt = errors.New("mr: corrupt intermediate data")

// intermediateName is the file name of map task m's output for reduce task r.
func intermediateName(m, r int) string {
	return "mr-" + strconv.Itoa(m) + "-" + strconv.Itoa(r)
}

// outputName is the file name of reduce task r's output.
func outputName(r int) string { return "mr-out-" + strconv.Itoa(r) }

// appendRecord appends one encoded pair to buf.
func appendRecord(buf []byte, key, value string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(key)))
	buf = append(buf, key...)
	buf = binary.AppendUvarint(buf, uint64(len(value)))
	return append(buf, value...)
}

// decodeRecords calls fn for every pair encoded in data, in order. Keys and
// values passed to fn are substrings of data (no copies). It returns an
// error wrapping ErrCorrupt, after the pairs before the damage, if data is
// malformed or truncated.
func decodeRecords(data string, fn func(key, value string)) error {
	for i := 0; i < len(data); {
		key, next, err := decodeString(data, i)
		if err != nil {
			return err
		}
		value, next, err := decodeString(data, next)
		if err != nil {
			return err
		}
		fn(key, value)
		i = next
	}
	return nil
}

// decodeString reads one uvarint-prefixed string at data[i:].
func decodeString(data string, i int) (string, int, error) {
	var n uint64
	var shift uint
	for {
		if i >= len(data) {
			return "", 0, fmt.Errorf("%w: truncated length at byte %d", ErrCorrupt, i)
		}
		b := data[i]
		i++
		if shift == 63 && b > 1 {
			return "", 0, fmt.Errorf("%w: length overflows at byte %d", ErrCorrupt, i-1)
		}
		n |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
		shift += 7
		if shift > 63 {
			return "", 0, fmt.Errorf("%w: length overflows at byte %d", ErrCorrupt, i-1)
		}
	}
	if n > uint64(len(data)-i) {
		return "", 0, fmt.Errorf("%w: length %d past end at byte %d", ErrCorrupt, n, i)
	}
	end := i + int(n)
	return data[i:end], end, nil
}
