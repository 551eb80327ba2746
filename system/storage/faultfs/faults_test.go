package faultfs

import (
	"bytes"
	"errors"
	"math/bits"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"faultline/transport"
)

// open opens name under the mount read-write, closed when t ends.
func open(t *testing.T, f *FS, name string) *os.File {
	t.Helper()
	file, err := os.OpenFile(f.path(name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	return file
}

func wantErrno(t *testing.T, what string, err error, want syscall.Errno) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err %v, want %v", what, err, want)
	}
}

func TestDiskFull(t *testing.T) {
	f := mountT(t, 1)
	w := open(t, f, "f")
	if _, err := w.Write(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	full, err := f.DiskFull(DiskFull{Budget: 150})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 100)); err != nil {
		t.Fatalf("write within the budget: %v", err)
	}
	_, err = w.Write(make([]byte, 100))
	wantErrno(t, "write past the budget", err, syscall.ENOSPC)
	if _, err := w.Write(make([]byte, 50)); err != nil {
		t.Fatalf("write filling the budget exactly: %v", err)
	}
	wantErrno(t, "fsync on a full disk", w.Sync(), syscall.ENOSPC)
	_, err = os.Create(f.path("new"))
	wantErrno(t, "create on a full disk", err, syscall.ENOSPC)

	full.Heal()
	full.Heal() // idempotent
	if _, err := w.Write([]byte("more")); err != nil {
		t.Fatalf("write after heal: %v", err)
	}
	if err := w.Sync(); err != nil {
		t.Fatalf("fsync after heal: %v", err)
	}
	st, _ := w.Stat()
	if st.Size() != 254 {
		t.Fatalf("size %d, want 254: a refused write wrote nothing", st.Size())
	}
}

func TestDiskFullAtOnce(t *testing.T) {
	f := mountT(t, 1)
	w := open(t, f, "f")
	if _, err := f.DiskFull(DiskFull{}); err != nil {
		t.Fatal(err)
	}
	_, err := w.Write([]byte("x"))
	wantErrno(t, "write", err, syscall.ENOSPC)
	wantErrno(t, "fsync", w.Sync(), syscall.ENOSPC)
	wantErrno(t, "mkdir", os.Mkdir(f.path("d"), 0o755), syscall.ENOSPC)
	if _, err := f.DiskFull(DiskFull{Budget: -1}); err == nil {
		t.Fatal("negative budget accepted")
	}
}

func TestIOError(t *testing.T) {
	f := mountT(t, 1)
	create(t, f, "wal-1.log", []byte("wal data"), true)
	create(t, f, "other", []byte("other data"), true)
	syncDir(t, f, "")
	wal, other := open(t, f, "wal-1.log"), open(t, f, "other")
	buf := make([]byte, 4)
	if _, err := wal.ReadAt(buf, 0); err != nil { // now in the page cache
		t.Fatal(err)
	}

	e, err := f.IOError(IOError{Pattern: "wal-*", Ops: OpWrite | OpFsync})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wal.WriteAt([]byte("XXXX"), 0)
	wantErrno(t, "write", err, syscall.EIO)
	wantErrno(t, "fsync", wal.Sync(), syscall.EIO)
	if _, err := wal.ReadAt(buf, 0); err != nil || string(buf) != "wal " {
		t.Fatalf("read under a write fault: %q, %v; want the old bytes", buf, err)
	}
	if _, err := other.WriteAt([]byte("Y"), 0); err != nil {
		t.Fatalf("write to a file the pattern misses: %v", err)
	}
	e.Heal()

	r, err := f.IOError(IOError{Pattern: "wal-*", Ops: OpRead})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wal.ReadAt(buf, 0)
	wantErrno(t, "read (cached before the fault)", err, syscall.EIO)
	if _, err := wal.WriteAt([]byte("w"), 0); err != nil {
		t.Fatalf("write under a read fault: %v", err)
	}
	r.Heal()
	if _, err := wal.ReadAt(buf, 0); err != nil || string(buf) != "wal " {
		t.Fatalf("read after heal: %q, %v", buf, err)
	}
	if _, err := f.IOError(IOError{Pattern: "[", Ops: OpRead}); err == nil {
		t.Fatal("bad pattern accepted")
	}
}

// TestFailedFsyncIsNotDurable: data whose fsync failed is lost at power
// loss, as with a real disk.
func TestFailedFsyncIsNotDurable(t *testing.T) {
	f := mountT(t, 1)
	create(t, f, "f", []byte("durable"), true)
	syncDir(t, f, "")
	w := open(t, f, "f")
	e, err := f.IOError(IOError{Ops: OpFsync})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("DURABLE?"), 0); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, "fsync", w.Sync(), syscall.EIO)
	e.Heal()
	w.Close()
	powerLoss(t, f, DropUnsynced)
	wantContent(t, f, "f", []byte("durable"))
}

// flippedBits returns the bit offsets where a and b differ.
func flippedBits(a, b []byte) []int64 {
	var out []int64
	for i := range a {
		x := a[i] ^ b[i]
		for x != 0 {
			bit := bits.TrailingZeros8(x)
			out = append(out, int64(i)*8+int64(bit))
			x &^= 1 << bit
		}
	}
	return out
}

func TestCorruptAtRest(t *testing.T) {
	f := mountT(t, 7)
	orig := bytes.Repeat([]byte{0x5a}, 4096)
	create(t, f, "f", orig, true)
	c, err := f.Corrupt(Corrupt{File: "f", Offset: 100, Length: 50, Bits: 5})
	if err != nil {
		t.Fatal(err)
	}
	flips := c.Flipped()
	if len(flips) != 5 {
		t.Fatalf("Flipped %v, want 5 bits", flips)
	}
	for _, b := range flips {
		if b < 100*8 || b >= 150*8 {
			t.Fatalf("bit %d outside [800, 1200)", b)
		}
	}
	got, _ := content(t, f, "f")
	if diff := flippedBits(orig, got); !slices.Equal(diff, flips) {
		t.Fatalf("read through the mount differs at bits %v, want exactly %v", diff, flips)
	}
	onDisk, err := os.ReadFile(f.Backing() + "/f")
	if err != nil {
		t.Fatal(err)
	}
	if diff := flippedBits(orig, onDisk); !slices.Equal(diff, flips) {
		t.Fatalf("backing file differs at bits %v, want exactly %v", diff, flips)
	}
	// The same seed flips the same bits.
	g := mountT(t, 7)
	create(t, g, "f", orig, true)
	if c2, err := g.Corrupt(Corrupt{File: "f", Offset: 100, Length: 50, Bits: 5}); err != nil || !slices.Equal(c2.Flipped(), flips) {
		t.Fatalf("same seed flipped %v (%v), want %v", c2.Flipped(), err, flips)
	}
	for _, bad := range []Corrupt{{File: "f", Offset: 4090, Length: 10}, {File: "", Length: 1}, {File: "f", Length: 1, Bits: 9}, {File: "../x", Length: 1}} {
		if _, err := f.Corrupt(bad); err == nil {
			t.Fatalf("Corrupt(%+v) accepted", bad)
		}
	}
}

func TestCorruptOnRead(t *testing.T) {
	f := mountT(t, 3)
	orig := bytes.Repeat([]byte("abcdefgh"), 1024)
	create(t, f, "f", orig, true)
	wantContent(t, f, "f", orig) // cached by the kernel now
	c, err := f.Corrupt(Corrupt{File: "f", Offset: 5000, Length: 8, Bits: 3, OnRead: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := content(t, f, "f")
	if diff := flippedBits(orig, got); !slices.Equal(diff, c.Flipped()) {
		t.Fatalf("read differs at bits %v, want exactly %v", diff, c.Flipped())
	}
	if onDisk, _ := os.ReadFile(f.Backing() + "/f"); !bytes.Equal(onDisk, orig) {
		t.Fatal("on-read corruption changed the backing file")
	}
	c.Heal()
	wantContent(t, f, "f", orig)
}

func TestSlowDisk(t *testing.T) {
	f := mountT(t, 1)
	w := open(t, f, "f")
	const delay = 30 * time.Millisecond
	timed := func(op func() error) time.Duration {
		t.Helper()
		start := time.Now()
		if err := op(); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	write := func() error { _, err := w.Write([]byte("x")); return err }
	s, err := f.SlowDisk(SlowDisk{Latency: transport.LinkFaults{Delay: delay}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if d := timed(w.Sync); d < delay {
			t.Fatalf("fsync took %v under a %v slow disk", d, delay)
		}
	}
	// Without Writes, writes draw no delay (a wall-clock bound would
	// fail on a loaded machine).
	f.faults.mu.Lock()
	wd := f.slowDelay(true)
	f.faults.mu.Unlock()
	if wd != 0 {
		t.Fatalf("a write would wait %v; only fsyncs are slow without Writes", wd)
	}
	timed(write)
	s.Heal()
	s, err = f.SlowDisk(SlowDisk{Latency: transport.LinkFaults{Delay: delay, Jitter: 10 * time.Millisecond, Distribution: transport.DelayNormal}, Writes: true})
	if err != nil {
		t.Fatal(err)
	}
	var total time.Duration
	for range 5 {
		total += timed(write)
	}
	// The draws are seeded: five normal draws of mean 30ms and spread
	// 10ms average well above 15ms.
	if mean := total / 5; mean < delay/2 {
		t.Fatalf("mean write latency %v under a %v±10ms slow disk", mean, delay)
	}
	s.Heal()
	for _, bad := range []transport.LinkFaults{{}, {Delay: time.Millisecond, Drop: 0.5}, {Delay: -1}} {
		if _, err := f.SlowDisk(SlowDisk{Latency: bad}); err == nil {
			t.Fatalf("SlowDisk(%+v) accepted", bad)
		}
	}
}
