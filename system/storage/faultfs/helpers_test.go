package faultfs

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// availableOnce runs Available once per test binary: every test here
// needs FUSE, and fails (never skips) with its reason when it is missing.
var availableOnce = sync.OnceValue(Available)

// mountT mounts a file system over fresh directories of t and unmounts it
// when t ends.
func mountT(t *testing.T, seed uint64) *FS {
	t.Helper()
	if err := availableOnce(); err != nil {
		t.Fatalf("FUSE is needed: %v", err)
	}
	dir := t.TempDir()
	f, err := Mount(Config{Mountpoint: filepath.Join(dir, "data"), Backing: filepath.Join(dir, "backing"), Seed: seed})
	if err != nil {
		t.Fatalf("Mount: %v", err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if mounted(t, f.Mountpoint()) {
			t.Errorf("%s still mounted after Close", f.Mountpoint())
		}
	})
	return f
}

// mounted reports whether a faultfs is mounted at point.
func mounted(t *testing.T, point string) bool {
	t.Helper()
	ms, err := ourMounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.point == point {
			return true
		}
	}
	return false
}

// path returns name under the mount.
func (f *FS) path(name string) string { return filepath.Join(f.Mountpoint(), name) }

// create makes name under the mount with content data, fsyncing the file
// when sync is set (never its directory).
func create(t *testing.T, f *FS, name string, data []byte, sync bool) {
	t.Helper()
	writeTo(t, f, name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, data, sync)
}

// appendTo appends data to name, fsyncing when sync is set.
func appendTo(t *testing.T, f *FS, name string, data []byte, sync bool) {
	t.Helper()
	writeTo(t, f, name, os.O_WRONLY|os.O_APPEND, data, sync)
}

// writeTo opens name with flag, writes data, fsyncs when sync is set and
// closes.
func writeTo(t *testing.T, f *FS, name string, flag int, data []byte, sync bool) {
	t.Helper()
	file, err := os.OpenFile(f.path(name), flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := file.Write(data); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := file.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
}

// syncDir fsyncs directory name under the mount ("" for the root).
func syncDir(t *testing.T, f *FS, name string) {
	t.Helper()
	d, err := os.Open(f.path(name))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
}

// content returns name's content under the mount, or nil and false when
// it does not exist.
func content(t *testing.T, f *FS, name string) ([]byte, bool) {
	t.Helper()
	b, err := os.ReadFile(f.path(name))
	if os.IsNotExist(err) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

// wantContent checks name's content.
func wantContent(t *testing.T, f *FS, name string, want []byte) {
	t.Helper()
	got, ok := content(t, f, name)
	if !ok {
		t.Fatalf("%s does not exist, want %d bytes", name, len(want))
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", name, abbrev(got), abbrev(want))
	}
}

// wantGone checks that name does not exist.
func wantGone(t *testing.T, f *FS, name string) {
	t.Helper()
	if got, ok := content(t, f, name); ok {
		t.Fatalf("%s exists (%q), want it gone", name, abbrev(got))
	}
}

func abbrev(b []byte) string {
	s := string(b)
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// powerLoss cuts the power and fails t on error.
func powerLoss(t *testing.T, f *FS, mode LossMode) LossReport {
	t.Helper()
	rep, err := f.PowerLoss(mode)
	if err != nil {
		t.Fatalf("PowerLoss(%s): %v", mode, err)
	}
	return rep
}
