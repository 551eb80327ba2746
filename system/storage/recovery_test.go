package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// tornFixture is a one-segment log whose last record is a multi-sector
// batch of entries.
type tornFixture struct {
	data    []byte
	lastOff int       // offset of the last record
	all     wantState // the state with every record
	butLast wantState // the state without the last record
}

func newTornFixture(t *testing.T) tornFixture {
	t.Helper()
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{NoSync: true})
	must(t, p.SetHardState(2, 1))
	must(t, p.AppendLog(1, entriesFor(1, 5)))
	must(t, p.Sync())
	must(t, p.AppendLog(6, entriesFor(6, 3)))
	must(t, p.Sync())
	must(t, p.AppendLog(9, entriesFor(9, 12)))
	must(t, p.Sync())
	mustClose(t, p)
	data := readFile(t, filepath.Join(dir, segmentName(1)))
	offs := recordOffsets(t, data)
	f := tornFixture{
		data:    data,
		lastOff: offs[len(offs)-1],
		all:     wantState{term: 2, votedFor: 1, entries: entriesFor(1, 20)},
		butLast: wantState{term: 2, votedFor: 1, entries: entriesFor(1, 8)},
	}
	if len(data)-f.lastOff < 3*sectorSize {
		t.Fatalf("fixture's last record is %d bytes, want it to span sectors", len(data)-f.lastOff)
	}
	return f
}

// openSegment writes data as the only segment of a fresh directory under
// base and opens it.
func openSegment(t *testing.T, base string, name string, data []byte) (*FilePersister, string, error) {
	t.Helper()
	dir := filepath.Join(base, name)
	must(t, os.MkdirAll(dir, 0o755))
	writeFile(t, filepath.Join(dir, segmentName(1)), data)
	p, err := Open(dir, Options{NoSync: true})
	return p, dir, err
}

// replayBytes replays data as the last segment of a log, in memory.
func replayBytes(data []byte) (logState, scanResult, error) {
	l := newLogState(0)
	_, scan, err := replaySegment(&l, 1, data, true)
	return l, scan, err
}

// sampled reports whether exhaustive loops also run offset i through the
// file system: a spread of offsets plus both ends.
func sampled(i, from, to int) bool {
	return i%61 == 0 || i-from < 3 || to-i <= 3
}

func TestTornTailEveryOffset(t *testing.T) {
	f := newTornFixture(t)
	base := t.TempDir()
	for cut := f.lastOff; cut < len(f.data); cut++ {
		l, scan, err := replayBytes(f.data[:cut])
		if err != nil {
			t.Fatalf("cut at %d (last record at %d): %v", cut, f.lastOff, err)
		}
		if scan.end != f.lastOff || scan.torn != (cut > f.lastOff) {
			t.Fatalf("cut at %d: scan ends at %d torn %v, want %d torn %v", cut, scan.end, scan.torn, f.lastOff, cut > f.lastOff)
		}
		if l.hs.term != f.butLast.term || l.hs.votedFor != f.butLast.votedFor {
			t.Fatalf("cut at %d: hard state %+v", cut, l.hs)
		}
		if err := sameEntries(l.entries, f.butLast.entries); err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if !sampled(cut, f.lastOff, len(f.data)) {
			continue
		}
		p, dir, err := openSegment(t, base, fmt.Sprint(cut), f.data[:cut])
		if err != nil {
			t.Fatalf("cut at %d (last record at %d): Open: %v", cut, f.lastOff, err)
		}
		checkState(t, p, f.butLast)
		if got := len(readFile(t, filepath.Join(dir, segmentName(1)))); got != f.lastOff {
			t.Fatalf("cut at %d: segment is %d bytes after recovery, want %d", cut, got, f.lastOff)
		}
		// Writing after a repair and reopening again is clean.
		must(t, p.AppendLog(9, [][]byte{[]byte("after")}))
		mustClose(t, p)
		p = mustOpen(t, dir, Options{NoSync: true})
		want := f.butLast
		want.entries = append(entriesFor(1, 8), []byte("after"))
		checkState(t, p, want)
		mustClose(t, p)
		must(t, os.RemoveAll(dir))
	}
	// The whole file is not torn at all.
	p, _, err := openSegment(t, base, "whole", f.data)
	must(t, err)
	defer mustClose(t, p)
	checkState(t, p, f.all)
}

func TestZeroedTail(t *testing.T) {
	f := newTornFixture(t)
	firstBoundary := (f.lastOff+headerSize)/sectorSize*sectorSize + sectorSize
	zero := func(b []byte, from, to int) []byte {
		b = append([]byte(nil), b...)
		clear(b[from:to])
		return b
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		want    wantState
		corrupt bool
	}{
		{"preallocated zeros after the last record", append(append([]byte(nil), f.data...), make([]byte, 4096)...), f.all, false},
		{"last record all zeros", zero(f.data, f.lastOff, len(f.data)), f.butLast, false},
		{"last record zero from a sector boundary", zero(f.data, firstBoundary, len(f.data)), f.butLast, false},
		{"one sector of the last record zero", zero(f.data, firstBoundary, firstBoundary+sectorSize), f.butLast, false},
		// A sector is written whole or not at all, so zeros that stop short of
		// the sector's end were not left by a torn write.
		{"last record header zero", zero(f.data, f.lastOff, f.lastOff+headerSize), wantState{}, true},
		{"zeros inside the last record", zero(f.data, firstBoundary, firstBoundary+sectorSize/2), wantState{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := openSegment(t, t.TempDir(), "d", tc.data)
			if tc.corrupt {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Open = %v, want ErrCorrupt", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer mustClose(t, p)
			checkState(t, p, tc.want)
		})
	}
}

func TestFlippedBitIsCorrupt(t *testing.T) {
	f := newTornFixture(t)
	base := t.TempDir()
	for off := range f.data {
		for bit := range 8 {
			data := append([]byte(nil), f.data...)
			data[off] ^= 1 << bit
			if _, _, err := replayBytes(data); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("bit %d of byte %d flipped (last record at %d): replay = %v, want ErrCorrupt", bit, off, f.lastOff, err)
			}
			if bit != off%8 || !sampled(off, 0, len(f.data)) {
				continue
			}
			p, dir, err := openSegment(t, base, fmt.Sprint(off), data)
			if err == nil {
				p.Close()
				t.Fatalf("bit %d of byte %d flipped: Open succeeded", bit, off)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("bit %d of byte %d flipped: Open = %v, want ErrCorrupt", bit, off, err)
			}
			must(t, os.RemoveAll(dir))
		}
	}
}

func TestTornNonLastSegmentIsCorrupt(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	must(t, p.AppendLog(1, entriesFor(1, 10)))
	mustClose(t, p)
	// Reopening starts segment 2, so segment 1 is no longer the tail.
	p = mustOpen(t, dir, Options{})
	must(t, p.AppendLog(11, entriesFor(11, 1)))
	mustClose(t, p)
	path := filepath.Join(dir, segmentName(1))
	data := readFile(t, path)
	writeFile(t, path, data[:len(data)-3])
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a cut older segment = %v, want ErrCorrupt", err)
	}
	// An empty older segment is no better.
	writeFile(t, path, nil)
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with an empty older segment = %v, want ErrCorrupt", err)
	}
}

func TestMissingSegmentIsCorrupt(t *testing.T) {
	build := func(t *testing.T, snapshot bool) string {
		dir := t.TempDir()
		for i := range 3 {
			p := mustOpen(t, dir, Options{})
			must(t, p.AppendLog(1+10*i, entriesFor(1+10*i, 10)))
			if snapshot && i == 2 {
				// Compacts segment 1, whose entries are all <= 12.
				must(t, p.SaveSnapshot(12, 1, []byte("s")))
			}
			mustClose(t, p)
		}
		return dir
	}
	for _, tc := range []struct {
		name     string
		snapshot bool
		remove   uint64
	}{
		{"first", false, 1},
		{"middle", false, 2},
		{"last", false, 3},
		{"first after compaction", true, 2},
		{"last after compaction", true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := build(t, tc.snapshot)
			if tc.snapshot {
				if _, err := os.Stat(filepath.Join(dir, segmentName(1))); !os.IsNotExist(err) {
					t.Fatalf("segment 1 survived compaction: %v", err)
				}
			}
			must(t, os.Remove(filepath.Join(dir, segmentName(tc.remove))))
			_, err := Open(dir, Options{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open without segment %d = %v, want ErrCorrupt", tc.remove, err)
			}
		})
	}
}

func TestDamagedSnapshotOrManifestIsCorrupt(t *testing.T) {
	build := func(t *testing.T) string {
		dir := t.TempDir()
		p := mustOpen(t, dir, Options{})
		must(t, p.AppendLog(1, entriesFor(1, 10)))
		must(t, p.SaveSnapshot(5, 1, []byte("snapshot at five")))
		p.SaveRaftState([]byte("course state"))
		mustClose(t, p)
		return dir
	}
	snapPath := func(dir string) string { return filepath.Join(dir, snapshotName(1)) }
	manPath := func(dir string) string { return filepath.Join(dir, manifestName) }
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"snapshot missing", func(t *testing.T, dir string) { must(t, os.Remove(snapPath(dir))) }},
		{"snapshot bit flipped", func(t *testing.T, dir string) { flipLast(t, snapPath(dir)) }},
		{"snapshot cut", func(t *testing.T, dir string) { cutLast(t, snapPath(dir)) }},
		{"manifest bit flipped", func(t *testing.T, dir string) { flipLast(t, manPath(dir)) }},
		{"manifest cut", func(t *testing.T, dir string) { cutLast(t, manPath(dir)) }},
		{"manifest emptied", func(t *testing.T, dir string) { writeFile(t, manPath(dir), nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := build(t)
			p := mustOpen(t, dir, Options{}) // intact first
			mustClose(t, p)
			tc.damage(t, dir)
			if _, err := Open(dir, Options{}); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open = %v, want ErrCorrupt", err)
			}
		})
	}
}

func flipLast(t *testing.T, path string) {
	b := readFile(t, path)
	b[len(b)-1] ^= 0x10
	writeFile(t, path, b)
}

func cutLast(t *testing.T, path string) {
	b := readFile(t, path)
	writeFile(t, path, b[:len(b)-1])
}

func TestSegmentInterruptedAtCreation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content func(seg []byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"torn opening record", func(seg []byte) []byte { return seg[:headerSize+3] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := mustOpen(t, dir, Options{})
			must(t, p.AppendLog(1, entriesFor(1, 5)))
			mustClose(t, p)
			// A crash while Open (or rotation) was creating segment 2, before
			// the manifest named it.
			seg := appendRecord(nil, recSegment, func(d []byte) []byte { return appendSegmentPayload(d, 2) })
			writeFile(t, filepath.Join(dir, segmentName(2)), tc.content(seg))
			for range 2 { // the repair holds across further reopenings
				p = mustOpen(t, dir, Options{})
				checkState(t, p, wantState{votedFor: -1, entries: entriesFor(1, 5)})
				mustClose(t, p)
			}
		})
	}
	t.Run("named by the manifest", func(t *testing.T) {
		dir := t.TempDir()
		mustClose(t, mustOpen(t, dir, Options{}))
		mustClose(t, mustOpen(t, dir, Options{})) // manifest names segment 2
		writeFile(t, filepath.Join(dir, segmentName(2)), nil)
		if _, err := Open(dir, Options{}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open with the manifest's newest segment emptied = %v, want ErrCorrupt", err)
		}
	})
}
