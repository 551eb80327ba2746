package faultfs

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"faultline/system/storage"
)

// The write-ahead log of system/storage on top of the file system: a
// child process (the node) appends records with Sync and says which were
// acknowledged; the parent cuts the power under it and reopens the log.

// walChildEnv, when set, makes the test binary a node that opens a
// storage.FilePersister in the directory it names and, for every line it
// reads, appends record i (from 1 on) with Sync and prints "acked i",
// until a Sync fails: then it prints "failed i" and waits to be killed.
const walChildEnv = "FAULTFS_TEST_WAL"

// walOptions are the persister's options in these tests: small segments,
// so that the log rotates (new segment, manifest, directory fsync) often.
var walOptions = storage.Options{SegmentSize: 16 << 10}

// payload is record i's entry: distinct, and over a sector long.
func payload(i int) []byte {
	return []byte(fmt.Sprintf("record %06d %s", i, strings.Repeat(strconv.Itoa(i%10), 700)))
}

func walChild(dir string) {
	p, err := storage.Open(dir, walOptions)
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(1)
	}
	if err := p.SetHardState(1, 0); err != nil || p.Sync() != nil {
		fmt.Println("hard state failed")
		os.Exit(1)
	}
	in := bufio.NewScanner(os.Stdin)
	for i := 1; in.Scan(); i++ {
		if err := p.AppendLog(i, [][]byte{payload(i)}); err != nil {
			fmt.Println("failed", i)
			break
		}
		if err := p.Sync(); err != nil {
			fmt.Println("failed", i)
			break
		}
		fmt.Println("acked", i)
	}
	select {}
}

// runNode starts a node on dir, lets it acknowledge n records, then fails
// its fsyncs through a fault (so that its next write is left un-synced, as
// when the power goes between write and fsync), lets it try one more,
// kills it and heals.
func runNode(t *testing.T, f *FS, dir string, n int) {
	t.Helper()
	c := startChild(t, walChildEnv, dir)
	defer c.kill()
	for i := 1; i <= n; i++ {
		fmt.Fprintln(c.in, "next")
		c.expect(t, fmt.Sprint("acked ", i))
	}
	fault, err := f.IOError(IOError{Ops: OpFsync})
	if err != nil {
		t.Fatal(err)
	}
	defer fault.Heal()
	fmt.Fprintln(c.in, "next")
	c.expect(t, fmt.Sprint("failed ", n+1))
}

// appendSynced appends records from..to to p, each with Sync.
func appendSynced(t *testing.T, p *storage.FilePersister, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		if err := p.AppendLog(i, [][]byte{payload(i)}); err != nil {
			t.Fatal(err)
		}
		if err := p.Sync(); err != nil {
			t.Fatal(err)
		}
	}
}

// reopen opens the persister in dir after a power loss and returns its
// term and entries; the persister is closed before the file system is.
func reopen(t *testing.T, dir string) (int, [][]byte, error) {
	t.Helper()
	p, err := storage.Open(dir, walOptions)
	if err != nil {
		return 0, nil, err
	}
	t.Cleanup(func() { p.Close() })
	term, _, snap, _, entries, err := p.LoadState()
	if err != nil {
		return 0, nil, err
	}
	if snap != 0 {
		t.Fatalf("snapshot index %d, want 0", snap)
	}
	return term, entries, nil
}

// walDir makes the node's directory durable, as the harness does before
// it starts a node, and returns its path in the mount.
func walDir(t *testing.T, f *FS) string {
	t.Helper()
	dir := f.path("raft")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	syncDir(t, f, "")
	return dir
}

// TestWALAcknowledgedSurvive: in every power-loss mode, every record the
// node acknowledged is there after the power loss, each entry served is
// exactly the one written, and a torn tail is cut off. A tear inside a
// sector (TearLastWrite off a sector boundary) is more than a disk does;
// the log then refuses to open, naming the torn record, and serves
// nothing from it.
func TestWALAcknowledgedSurvive(t *testing.T) {
	// sectorTears counts the sector tears that kept part of the record:
	// the seeds must reach the log's torn-tail repair.
	sectorTears := 0
	defer func() {
		if !t.Failed() && sectorTears == 0 {
			t.Error("no tear-last-sector case kept part of a record")
		}
	}()
	for _, mode := range []LossMode{DropUnsynced, KeepRandomPrefix, TearLastSector, TearLastWrite} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", mode, seed), func(t *testing.T) {
				f := mountT(t, seed)
				dir := walDir(t, f)
				const acked = 40
				runNode(t, f, dir, acked)
				rep := powerLoss(t, f, mode)
				t.Logf("%+v torn %+v", rep, rep.Torn)
				if rep.Pending == 0 {
					t.Fatalf("report %+v: the failed sync left nothing pending", rep)
				}
				torn := rep.Torn
				if (mode == TearLastWrite || mode == TearLastSector) && (torn == nil || !strings.HasPrefix(torn.File, "raft/wal-")) {
					t.Fatalf("report %+v, want a torn segment write", rep)
				}
				if mode == TearLastSector && torn.Kept > 0 {
					sectorTears++
				}
				term, entries, err := reopen(t, dir)
				if mode == TearLastWrite && torn.Kept > 0 && (torn.Offset+torn.Kept)%SectorSize != 0 {
					want := fmt.Sprintf("segment %s: record at offset %d:", strings.TrimPrefix(torn.File, "raft/"), torn.Offset)
					if !errors.Is(err, storage.ErrCorrupt) || !strings.Contains(err.Error(), want) {
						t.Fatalf("reopen after a tear inside a sector (%+v): %v, want ErrCorrupt naming %q", torn, err, want)
					}
					return
				}
				if err != nil {
					t.Fatalf("reopen after %s (%+v, torn %+v): %v", mode, rep, torn, err)
				}
				if term != 1 {
					t.Fatalf("term %d after %s, want 1", term, mode)
				}
				if len(entries) < acked || len(entries) > acked+1 {
					t.Fatalf("%d entries after %s, acked %d", len(entries), mode, acked)
				}
				for i, e := range entries {
					if want := payload(i + 1); string(e) != string(want) {
						t.Fatalf("entry %d = %.20q..., want %.20q...", i+1, e, want)
					}
				}
			})
		}
	}
}

// offsetRe finds the offset a storage corruption error names.
var offsetRe = regexp.MustCompile(`segment (wal-\d+\.log): record at offset (\d+)`)

// TestWALCorruptionRefused: a flipped bit in a record in the middle of
// the log (at rest, or on every read) makes the persister refuse to open,
// with an error naming the segment and the record's offset; no entry is
// served.
func TestWALCorruptionRefused(t *testing.T) {
	for _, onRead := range []bool{false, true} {
		t.Run(fmt.Sprint("onRead=", onRead), func(t *testing.T) {
			f := mountT(t, 5)
			dir := walDir(t, f)
			p, err := storage.Open(dir, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.SetHardState(1, 0); err != nil {
				t.Fatal(err)
			}
			appendSynced(t, p, 1, 20)
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			segs, _ := filepath.Glob(filepath.Join(f.Backing(), "raft", "wal-*.log"))
			if len(segs) == 0 {
				t.Fatal("no segment")
			}
			seg := filepath.Base(segs[0])
			st, _ := os.Stat(segs[0])
			mid := st.Size() / 2
			c, err := f.Corrupt(Corrupt{File: "raft/" + seg, Offset: mid, Length: 1, OnRead: onRead})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = reopen(t, dir)
			if !errors.Is(err, storage.ErrCorrupt) {
				t.Fatalf("reopen with bit %d flipped: %v, want ErrCorrupt", c.Flipped()[0], err)
			}
			m := offsetRe.FindStringSubmatch(err.Error())
			if m == nil || m[1] != seg {
				t.Fatalf("error %q does not name segment %s and an offset", err, seg)
			}
			if off, _ := strconv.ParseInt(m[2], 10, 64); off <= 0 || off > mid || mid-off > int64(len(payload(1)))+64 {
				t.Fatalf("error names offset %d; the flipped byte is at %d, in the record there", off, mid)
			}
		})
	}
}

// TestWALNoSyncLosesAcknowledged: with the persister's fsyncs off,
// acknowledged records do not survive a power loss: the file system tells
// a write from a durable one.
func TestWALNoSyncLosesAcknowledged(t *testing.T) {
	f := mountT(t, 1)
	dir := walDir(t, f)
	p, err := storage.Open(dir, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	appendSynced(t, p, 1, 10)
	// Close fsyncs nothing under NoSync: it stands for the kill, which
	// closes the node's files.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	powerLoss(t, f, DropUnsynced)
	term, entries, err := reopen(t, dir)
	if err != nil || len(entries) != 0 || term != 0 {
		t.Fatalf("after power loss: term %d, %d entries, %v; want every acknowledged record lost (an empty log)", term, len(entries), err)
	}
}

// TestWALDirectoryCreatedByOpenSurvives: a log directory that
// storage.Open creates itself (two levels deep, nothing fsynced by the
// caller) is durable once Open returns, so the records acknowledged in it
// survive a power loss that drops every un-synced entry.
func TestWALDirectoryCreatedByOpenSurvives(t *testing.T) {
	f := mountT(t, 1)
	dir := f.path("node/raft")
	p, err := storage.Open(dir, walOptions)
	if err != nil {
		t.Fatal(err)
	}
	appendSynced(t, p, 1, 5)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	powerLoss(t, f, DropUnsynced)
	_, entries, err := reopen(t, dir)
	if err != nil || len(entries) != 5 {
		t.Fatalf("after power loss: %d entries, %v; want the 5 acknowledged records", len(entries), err)
	}
}
