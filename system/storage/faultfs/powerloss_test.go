package faultfs

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// TestPowerLossDropUnsynced: exactly the fsynced data survives, whatever
// was written after it (appends, overwrites, truncates) is undone.
func TestPowerLossDropUnsynced(t *testing.T) {
	f := mountT(t, 1)
	base := bytes.Repeat([]byte("0123456789"), 1000) // 10000 bytes, several pages
	create(t, f, "appended", base, true)
	create(t, f, "overwritten", base, true)
	create(t, f, "truncated", base, true)
	create(t, f, "synced-twice", []byte("one"), true)
	create(t, f, "never-synced", []byte("lost"), false)
	syncDir(t, f, "")

	appendTo(t, f, "appended", []byte("tail that is lost"), false)
	over, err := os.OpenFile(f.path("overwritten"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 4090, 9999} {
		if _, err := over.WriteAt([]byte("XXXXXXXXXX"), off); err != nil {
			t.Fatal(err)
		}
	}
	over.Close()
	if err := os.Truncate(f.path("truncated"), 10); err != nil {
		t.Fatal(err)
	}
	appendTo(t, f, "truncated", []byte("after"), false)
	appendTo(t, f, "synced-twice", []byte(" two"), true)
	appendTo(t, f, "synced-twice", []byte(" three"), false)

	rep := powerLoss(t, f, DropUnsynced)
	if rep.Kept != 0 || rep.Pending == 0 || rep.Torn != nil {
		t.Fatalf("report %+v, want pending ops all dropped", rep)
	}
	wantContent(t, f, "appended", base)
	wantContent(t, f, "overwritten", base)
	wantContent(t, f, "truncated", base)
	wantContent(t, f, "synced-twice", []byte("one two"))
	wantContent(t, f, "never-synced", nil)

	// The file system works on after it, and a second loss with nothing
	// pending changes nothing.
	appendTo(t, f, "appended", []byte("!"), true)
	if rep := powerLoss(t, f, DropUnsynced); rep.Pending != 0 {
		t.Fatalf("second power loss found %d pending ops, want 0", rep.Pending)
	}
	wantContent(t, f, "appended", append(base, '!'))
}

// records returns n distinct records of 100 bytes.
func records(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(fmt.Sprintf("%-99d\n", i))
	}
	return out
}

// TestPowerLossKeepRandomPrefix: what survives is the durable state plus
// the first Kept un-synced writes, across files, in the order they were
// made; the seed decides Kept.
func TestPowerLossKeepRandomPrefix(t *testing.T) {
	seen := map[int]bool{}
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			f := mountT(t, seed)
			create(t, f, "a", []byte("A:"), true)
			create(t, f, "b", []byte("B:"), true)
			syncDir(t, f, "")
			recs := records(10)
			// Appends alternate between the files: ops 0, 2, 4... go to a.
			for i, r := range recs {
				appendTo(t, f, map[bool]string{true: "a", false: "b"}[i%2 == 0], r, false)
			}
			rep := powerLoss(t, f, KeepRandomPrefix)
			if rep.Pending != len(recs) || rep.Kept < 0 || rep.Kept > len(recs) {
				t.Fatalf("report %+v, want %d pending", rep, len(recs))
			}
			seen[rep.Kept] = true
			wantA, wantB := []byte("A:"), []byte("B:")
			for i := range rep.Kept {
				if i%2 == 0 {
					wantA = append(wantA, recs[i]...)
				} else {
					wantB = append(wantB, recs[i]...)
				}
			}
			wantContent(t, f, "a", wantA)
			wantContent(t, f, "b", wantB)

			// The same seed keeps the same prefix.
			g := mountT(t, seed)
			create(t, g, "a", nil, true)
			syncDir(t, g, "")
			for range recs {
				appendTo(t, g, "a", []byte("x"), false)
			}
			if again := powerLoss(t, g, KeepRandomPrefix); again.Kept != rep.Kept {
				t.Fatalf("seed %d kept %d then %d", seed, rep.Kept, again.Kept)
			}
		})
	}
	if len(seen) < 2 {
		t.Fatalf("six seeds all kept the same prefix %v", seen)
	}
}

// TestPowerLossTearLastWrite: every un-synced write before the last
// survives, the last is cut at a random byte.
func TestPowerLossTearLastWrite(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			f := mountT(t, seed)
			base := []byte("durable|")
			create(t, f, "wal", base, true)
			syncDir(t, f, "")
			recs := records(3)
			for _, r := range recs {
				appendTo(t, f, "wal", r, false)
			}
			rep := powerLoss(t, f, TearLastWrite)
			torn := rep.Torn
			if torn == nil {
				t.Fatalf("report %+v, want a torn write", rep)
			}
			wantOff := int64(len(base) + 2*len(recs[0]))
			if torn.File != "wal" || torn.Offset != wantOff || torn.Length != int64(len(recs[2])) || torn.Kept < 0 || torn.Kept >= torn.Length {
				t.Fatalf("torn %+v, want wal at %d, %d bytes, some kept", torn, wantOff, len(recs[2]))
			}
			want := append(append(append(append([]byte{}, base...), recs[0]...), recs[1]...), recs[2][:torn.Kept]...)
			wantContent(t, f, "wal", want)
		})
	}
}

// TestPowerLossTearOverwrite: a torn overwrite inside the file keeps its
// first bytes new and the rest old.
func TestPowerLossTearOverwrite(t *testing.T) {
	f := mountT(t, 3)
	old := bytes.Repeat([]byte("o"), 300)
	create(t, f, "f", old, true)
	syncDir(t, f, "")
	w, err := os.OpenFile(f.path("f"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt(bytes.Repeat([]byte("n"), 200), 50); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rep := powerLoss(t, f, TearLastWrite)
	if rep.Torn == nil || rep.Torn.Offset != 50 || rep.Torn.Length != 200 {
		t.Fatalf("report %+v", rep)
	}
	want := bytes.Clone(old)
	copy(want[50:], bytes.Repeat([]byte("n"), int(rep.Torn.Kept)))
	wantContent(t, f, "f", want)
}
