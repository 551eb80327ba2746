package storage

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// entryFor is the deterministic content of the entry at index i; sizes vary
// from 1 to 300 bytes and no byte is zero, so a zeroed sector never passes
// for entry data.
func entryFor(i int) []byte {
	u := uint(i)
	n := 1 + (u*7919)%300
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(1 + (u+uint(j)*31)%255)
	}
	return b
}

// entriesFor returns entryFor(from) .. entryFor(from+n-1).
func entriesFor(from, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = entryFor(from + i)
	}
	return out
}

func mustOpen(t testing.TB, dir string, opts Options) *FilePersister {
	t.Helper()
	p, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return p
}

func mustClose(t testing.TB, p *FilePersister) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantState is an expected LoadState result.
type wantState struct {
	term, votedFor, snapIndex, snapTerm int
	entries                             [][]byte
}

func checkState(t testing.TB, p *FilePersister, want wantState) {
	t.Helper()
	term, vote, si, st, ents, err := p.LoadState()
	if err != nil {
		t.Fatalf("LoadState: %v", err)
	}
	if term != want.term || vote != want.votedFor || si != want.snapIndex || st != want.snapTerm {
		t.Fatalf("LoadState = term %d vote %d snap %d/%d, want term %d vote %d snap %d/%d",
			term, vote, si, st, want.term, want.votedFor, want.snapIndex, want.snapTerm)
	}
	if err := sameEntries(ents, want.entries); err != nil {
		t.Fatalf("LoadState entries: %v", err)
	}
}

func sameEntries(got, want [][]byte) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			return fmt.Errorf("entry %d: got %d bytes %.16x, want %d bytes %.16x", i, len(got[i]), got[i], len(want[i]), want[i])
		}
	}
	return nil
}

// segmentFiles returns the segment sequence numbers in dir.
func segmentFiles(t testing.TB, dir string) []uint64 {
	t.Helper()
	seqs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// recordOffsets returns the offsets at which records start in a clean
// segment, and the segment's length.
func recordOffsets(t testing.TB, data []byte) []int {
	t.Helper()
	var offs []int
	if _, err := scanSegment(data, false, func(off int, _ record) error {
		offs = append(offs, off)
		return nil
	}); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return offs
}
