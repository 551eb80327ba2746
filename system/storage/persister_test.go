package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenEmpty(t *testing.T) {
	p := mustOpen(t, t.TempDir(), Options{})
	defer mustClose(t, p)
	checkState(t, p, wantState{votedFor: -1})
	if got := p.RaftStateSize(); got != 0 {
		t.Fatalf("RaftStateSize = %d, want 0", got)
	}
	if p.ReadRaftState() != nil || p.ReadSnapshot() != nil || p.SnapshotSize() != 0 {
		t.Fatal("fresh persister has state or snapshot")
	}
}

func TestLogRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	must(t, p.SetHardState(3, 1))
	must(t, p.AppendLog(1, entriesFor(1, 10)))
	must(t, p.AppendLog(11, entriesFor(11, 5)))
	must(t, p.AppendLog(16, [][]byte{{}})) // an empty entry is an entry
	must(t, p.Sync())
	want := wantState{term: 3, votedFor: 1, entries: append(entriesFor(1, 15), []byte{})}
	checkState(t, p, want)
	mustClose(t, p)

	p = mustOpen(t, dir, Options{})
	defer mustClose(t, p)
	checkState(t, p, want)
	// LoadState again, now read back from disk rather than Open's replay.
	checkState(t, p, want)
}

func TestAppendLogCopiesEntries(t *testing.T) {
	p := mustOpen(t, t.TempDir(), Options{})
	defer mustClose(t, p)
	e := []byte("abc")
	must(t, p.AppendLog(1, [][]byte{e}))
	e[0] = 'X'
	checkState(t, p, wantState{votedFor: -1, entries: [][]byte{[]byte("abc")}})
}

func TestAppendLogTruncates(t *testing.T) {
	for _, reopen := range []bool{false, true} {
		name := map[bool]string{false: "live", true: "reopened"}[reopen]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := mustOpen(t, dir, Options{})
			must(t, p.AppendLog(1, entriesFor(1, 10)))
			// Overwrite a suffix with different entries.
			must(t, p.AppendLog(6, [][]byte{[]byte("six"), []byte("seven")}))
			// Truncate only.
			must(t, p.AppendLog(8, nil)) // no-op: 8 is last+1
			must(t, p.AppendLog(7, nil))
			must(t, p.Sync())
			want := wantState{votedFor: -1, entries: append(entriesFor(1, 5), []byte("six"))}
			if reopen {
				mustClose(t, p)
				p = mustOpen(t, dir, Options{})
			}
			defer mustClose(t, p)
			checkState(t, p, want)
			if got, wantSize := p.RaftStateSize(), sizeOf(want.entries); got != wantSize {
				t.Fatalf("RaftStateSize = %d, want %d", got, wantSize)
			}
		})
	}
}

func sizeOf(entries [][]byte) int {
	n := 0
	for _, e := range entries {
		n += len(e)
	}
	return n
}

func TestAppendLogRange(t *testing.T) {
	p := mustOpen(t, t.TempDir(), Options{})
	defer mustClose(t, p)
	must(t, p.AppendLog(1, entriesFor(1, 5)))
	for _, tc := range []struct {
		index int
		want  error
	}{
		{0, ErrOutOfRange},
		{-1, ErrOutOfRange},
		{7, ErrOutOfRange},
		{6, nil},
	} {
		if err := p.AppendLog(tc.index, entriesFor(tc.index, 1)); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Fatalf("AppendLog(%d) = %v, want %v", tc.index, err, tc.want)
		}
	}
	must(t, p.SaveSnapshot(3, 1, []byte("snap")))
	for _, idx := range []int{1, 3} {
		if err := p.AppendLog(idx, entriesFor(idx, 1)); !errors.Is(err, ErrCompacted) {
			t.Fatalf("AppendLog(%d) below snapshot 3 = %v, want ErrCompacted", idx, err)
		}
	}
	if err := p.SaveSnapshot(2, 1, nil); !errors.Is(err, ErrCompacted) {
		t.Fatalf("SaveSnapshot below the current one = %v, want ErrCompacted", err)
	}
	must(t, p.AppendLog(4, entriesFor(4, 1)))
}

func TestSnapshotDropsPrefix(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	must(t, p.SetHardState(2, 0))
	must(t, p.AppendLog(1, entriesFor(1, 20)))
	must(t, p.SaveSnapshot(12, 2, []byte("image@12")))
	want := wantState{term: 2, votedFor: 0, snapIndex: 12, snapTerm: 2, entries: entriesFor(13, 8)}
	checkState(t, p, want)
	if got, w := p.RaftStateSize(), 16+sizeOf(want.entries); got != w {
		t.Fatalf("RaftStateSize = %d, want %d", got, w)
	}
	if !bytes.Equal(p.ReadSnapshot(), []byte("image@12")) || p.SnapshotSize() != 8 {
		t.Fatalf("ReadSnapshot = %q", p.ReadSnapshot())
	}
	// The entries above the snapshot survive a reopen, written before the
	// snapshot and never synced on their own: SaveSnapshot syncs first.
	mustClose(t, p)
	p = mustOpen(t, dir, Options{})
	checkState(t, p, want)
	if !bytes.Equal(p.ReadSnapshot(), []byte("image@12")) {
		t.Fatalf("ReadSnapshot after reopen = %q", p.ReadSnapshot())
	}

	// A snapshot past the end of the log empties it; appends continue after it.
	must(t, p.SaveSnapshot(40, 5, []byte("image@40")))
	checkState(t, p, wantState{term: 2, votedFor: 0, snapIndex: 40, snapTerm: 5})
	if err := p.AppendLog(42, entriesFor(42, 1)); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("AppendLog past the snapshot's end = %v, want ErrOutOfRange", err)
	}
	must(t, p.AppendLog(41, entriesFor(41, 3)))
	must(t, p.Sync())
	mustClose(t, p)
	p = mustOpen(t, dir, Options{})
	defer mustClose(t, p)
	checkState(t, p, wantState{term: 2, votedFor: 0, snapIndex: 40, snapTerm: 5, entries: entriesFor(41, 3)})
	if !bytes.Equal(p.ReadSnapshot(), []byte("image@40")) {
		t.Fatalf("ReadSnapshot = %q", p.ReadSnapshot())
	}
	snaps, _ := filepath.Glob(filepath.Join(dir, "snap-*"))
	if len(snaps) != 1 {
		t.Fatalf("snapshot files %v, want exactly one", snaps)
	}
}

func TestSnapshotKeepsSuffixUntilTruncated(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	must(t, p.AppendLog(1, entriesFor(1, 10)))
	must(t, p.SaveSnapshot(5, 1, nil))
	// Raft dropping a conflicting suffix after installing a snapshot.
	must(t, p.AppendLog(6, nil))
	must(t, p.Sync())
	mustClose(t, p)
	p = mustOpen(t, dir, Options{})
	defer mustClose(t, p)
	checkState(t, p, wantState{votedFor: -1, snapIndex: 5, snapTerm: 1})
	if got := p.RaftStateSize(); got != 0 {
		t.Fatalf("RaftStateSize = %d, want 0", got)
	}
}

func TestHardState(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	must(t, p.SetHardState(1, -1))
	must(t, p.SetHardState(1, 2))
	before := p.Stats()
	must(t, p.SetHardState(1, 2)) // same values: nothing to write
	must(t, p.Sync())
	if p.RaftStateSize() != 16 {
		t.Fatalf("RaftStateSize = %d, want 16", p.RaftStateSize())
	}
	mustClose(t, p)
	if before.Fsyncs != 0 {
		t.Fatalf("fsyncs before the first Sync: %d", before.Fsyncs)
	}
	p = mustOpen(t, dir, Options{})
	defer mustClose(t, p)
	checkState(t, p, wantState{term: 1, votedFor: 2})
}

func TestCoursePersister(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	p.SaveRaftState([]byte("state-1"))
	if got := string(p.ReadRaftState()); got != "state-1" {
		t.Fatalf("ReadRaftState = %q", got)
	}
	if p.RaftStateSize() != 7 {
		t.Fatalf("RaftStateSize = %d, want 7", p.RaftStateSize())
	}
	p.SaveStateAndSnapshot([]byte("state-2"), []byte("snapshot-2"))
	p.SaveRaftState([]byte("state-3"))
	mustClose(t, p)

	p = mustOpen(t, dir, Options{})
	if got := string(p.ReadRaftState()); got != "state-3" {
		t.Fatalf("ReadRaftState after reopen = %q", got)
	}
	if got := string(p.ReadSnapshot()); got != "snapshot-2" || p.SnapshotSize() != 10 {
		t.Fatalf("ReadSnapshot after reopen = %q", got)
	}
	p.SaveStateAndSnapshot(nil, nil)
	mustClose(t, p)
	p = mustOpen(t, dir, Options{})
	defer mustClose(t, p)
	if p.ReadRaftState() != nil || p.ReadSnapshot() != nil {
		t.Fatalf("emptied state reads back as %q / %q", p.ReadRaftState(), p.ReadSnapshot())
	}
}

func TestCoursePersisterPanicsWhenClosed(t *testing.T) {
	p := mustOpen(t, t.TempDir(), Options{})
	mustClose(t, p)
	defer func() {
		if recover() == nil {
			t.Fatal("SaveRaftState on a closed persister did not panic")
		}
	}()
	p.SaveRaftState([]byte("x"))
}

func TestClosed(t *testing.T) {
	p := mustOpen(t, t.TempDir(), Options{})
	must(t, p.AppendLog(1, entriesFor(1, 1)))
	mustClose(t, p)
	must(t, p.Close())
	for name, err := range map[string]error{
		"SetHardState": p.SetHardState(1, 1),
		"AppendLog":    p.AppendLog(2, nil),
		"SaveSnapshot": p.SaveSnapshot(1, 1, nil),
		"Sync":         p.Sync(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if _, _, _, _, _, err := p.LoadState(); !errors.Is(err, ErrClosed) {
		t.Errorf("LoadState after Close = %v, want ErrClosed", err)
	}
}

func TestCloseSyncs(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	must(t, p.SetHardState(4, 4))
	must(t, p.AppendLog(1, entriesFor(1, 3)))
	mustClose(t, p)
	p = mustOpen(t, dir, Options{})
	defer mustClose(t, p)
	checkState(t, p, wantState{term: 4, votedFor: 4, entries: entriesFor(1, 3)})
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{})
	if q, err := Open(dir, Options{}); err == nil {
		q.Close()
		t.Fatal("second Open of a directory in use succeeded")
	}
	mustClose(t, p)
	mustClose(t, mustOpen(t, dir, Options{}))
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		ok   bool
	}{
		{Options{}, true},
		{Options{SegmentSize: MinSegmentSize}, true},
		{Options{SegmentSize: MinSegmentSize - 1}, false},
		{Options{SegmentSize: -1}, false},
	} {
		err := tc.opts.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tc.opts, err, tc.ok)
		}
		if _, oerr := Open(t.TempDir(), tc.opts); (oerr == nil) != tc.ok {
			t.Errorf("Open(%+v) = %v, want ok=%v", tc.opts, oerr, tc.ok)
		}
	}
}

func TestNoSync(t *testing.T) {
	dir := t.TempDir()
	p := mustOpen(t, dir, Options{NoSync: true})
	must(t, p.AppendLog(1, entriesFor(1, 50)))
	must(t, p.Sync())
	must(t, p.SaveSnapshot(10, 1, []byte("s")))
	if f := p.Stats().Fsyncs; f != 0 {
		t.Fatalf("NoSync persister fsynced %d times", f)
	}
	mustClose(t, p)
	p = mustOpen(t, dir, Options{NoSync: true})
	defer mustClose(t, p)
	checkState(t, p, wantState{votedFor: -1, snapIndex: 10, snapTerm: 1, entries: entriesFor(11, 40)})
}

func TestSegmentsRotateAndCompact(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: MinSegmentSize}
	p := mustOpen(t, dir, opts)
	next := 1
	for round := 0; round < 30; round++ {
		must(t, p.AppendLog(next, entriesFor(next, 20)))
		next += 20
		must(t, p.Sync())
		if round%5 == 4 {
			must(t, p.SaveSnapshot(next-10, 1, []byte("s")))
			// Everything but the live tail is gone: at most the segments
			// spanning the last 10 entries plus the active one.
			if n := len(segmentFiles(t, dir)); n > 4 {
				t.Fatalf("round %d: %d segments left after compaction", round, n)
			}
		}
	}
	if seqs := segmentFiles(t, dir); seqs[len(seqs)-1] < 20 {
		t.Fatalf("only %d segments created with 1 KiB segments and ~%d KiB written", seqs[len(seqs)-1], 30*20*150/1024)
	}
	must(t, p.SaveSnapshot(next-10, 1, []byte("s")))
	want := wantState{votedFor: -1, snapIndex: next - 10, snapTerm: 1, entries: entriesFor(next-9, 9)}
	checkState(t, p, want)
	mustClose(t, p)
	p = mustOpen(t, dir, opts)
	defer mustClose(t, p)
	checkState(t, p, want)
}

func TestTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	mustClose(t, mustOpen(t, dir, Options{}))
	stray := filepath.Join(dir, manifestName+tmpSuffix)
	writeFile(t, stray, []byte("half-written"))
	mustClose(t, mustOpen(t, dir, Options{}))
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Fatalf("temporary file survived Open: %v", err)
	}
}
