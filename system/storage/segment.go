package storage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// sectorSize is the granularity at which a torn write is assumed to leave
// old (zero) bytes behind: a damaged tail record with a zeroed sector is
// taken to be torn, one without is taken to be corrupt.
const sectorSize = 512

// segmentInfo describes one write-ahead log segment.
type segmentInfo struct {
	seq uint64
	// maxIndex is the highest log index any record of the segment wrote
	// (zero if none). A segment whose maxIndex, and that of every older
	// segment, is at or below the snapshot index holds nothing live.
	maxIndex int
	// size is the segment's length in bytes up to the last valid record.
	size int64
}

// segmentName returns the file name of segment seq.
func segmentName(seq uint64) string {
	return fmt.Sprintf("wal-%016x.log", seq)
}

// parseSegmentName returns the sequence number in a segment file name.
func parseSegmentName(name string) (uint64, bool) {
	hex, ok := strings.CutPrefix(name, "wal-")
	if !ok {
		return 0, false
	}
	hex, ok = strings.CutSuffix(hex, ".log")
	if !ok || len(hex) != 16 {
		return 0, false
	}
	seq, err := strconv.ParseUint(hex, 16, 64)
	return seq, err == nil
}

// listSegments returns the sequence numbers of the segment files in dir,
// ascending.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: list %s: %w", dir, err)
	}
	var seqs []uint64
	for _, e := range ents {
		if seq, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}

// scanResult is what scanning one segment found.
type scanResult struct {
	// end is the offset just past the last valid record.
	end int
	// torn is set when bytes after end were cut off as a torn tail.
	torn bool
	// tornReason describes why, for the log.
	tornReason error
	// unused is set when everything from end on is zeros: space
	// preallocated for records never written, rather than a torn write.
	unused bool
}

// scanSegment calls fn for every record of data, a whole segment, in order.
// A damaged record is a torn tail when tail is set (data is the last
// segment) and the damage looks like an interrupted write; scanning stops
// there and the result says so. Any other damage is an error wrapping
// ErrCorrupt, as is an error returned by fn.
func scanSegment(data []byte, tail bool, fn func(off int, r record) error) (scanResult, error) {
	off := 0
	for off < len(data) {
		r, n, err := decodeRecord(data[off:])
		if err != nil {
			if tail && looksTorn(data, off, n, err) {
				return scanResult{end: off, torn: true, tornReason: err, unused: allZero(data[off:])}, nil
			}
			return scanResult{end: off}, fmt.Errorf("record at offset %d: %v: %w", off, err, ErrCorrupt)
		}
		if err := fn(off, r); err != nil {
			return scanResult{end: off}, fmt.Errorf("record at offset %d: %w", off, err)
		}
		off += n
	}
	return scanResult{end: off}, nil
}

// looksTorn reports whether the damaged record at off in data (claiming n
// bytes, zero if its header is not trusted) looks like the remains of an
// interrupted write rather than corruption: the data ends inside it, or a
// piece of it reads as zeros up to the end of its sector (or of the data),
// which is what a sector that never reached the disk leaves behind when the
// file was extended over it.
func looksTorn(data []byte, off, n int, err error) bool {
	switch {
	case errors.Is(err, errShortHeader), errors.Is(err, errShortPayload):
		return true
	case errors.Is(err, errBadHeader):
		return hasZeroSector(data, off, min(off+headerSize, len(data)))
	case errors.Is(err, errBadPayload):
		return hasZeroSector(data, off, off+n)
	}
	return false
}

// hasZeroSector reports whether [from, to) of data, cut at sector
// boundaries, has a piece that starts a run of zero bytes lasting to the end
// of its sector or of data.
func hasZeroSector(data []byte, from, to int) bool {
	for from < to {
		sectorEnd := (from/sectorSize + 1) * sectorSize
		if allZero(data[from:min(sectorEnd, len(data))]) {
			return true
		}
		from = sectorEnd
	}
	return false
}

func allZero(b []byte) bool {
	// bytes.Equal runs in assembly; a byte loop over a 64 MiB segment's
	// preallocated tail took seconds under the race detector and slowed
	// every restart.
	for len(b) > 0 {
		n := min(len(b), len(zeroBlock))
		if !bytes.Equal(b[:n], zeroBlock[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

// zeroBlock is what allZero compares against.
var zeroBlock [64 << 10]byte

// segmentPath returns the path of segment seq in dir.
func segmentPath(dir string, seq uint64) string {
	return filepath.Join(dir, segmentName(seq))
}
