package faultfs

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDirEntryDurability: a directory's entries are durable only once the
// directory is fsynced; fsyncing a file does not make its name durable.
func TestDirEntryDurability(t *testing.T) {
	cases := []struct {
		name string
		// setup runs with a durable file "old" ("old data") in the root
		// and a durable directory "sub".
		setup func(t *testing.T, f *FS)
		check func(t *testing.T, f *FS)
	}{
		{"create without dir fsync disappears", func(t *testing.T, f *FS) {
			create(t, f, "new", []byte("data"), true)
		}, func(t *testing.T, f *FS) {
			wantGone(t, f, "new")
		}},
		{"create with dir fsync stays, its data only if synced", func(t *testing.T, f *FS) {
			create(t, f, "synced", []byte("data"), true)
			create(t, f, "unsynced", []byte("data"), false)
			syncDir(t, f, "")
		}, func(t *testing.T, f *FS) {
			wantContent(t, f, "synced", []byte("data"))
			wantContent(t, f, "unsynced", nil)
		}},
		{"unlink without dir fsync comes back", func(t *testing.T, f *FS) {
			if err := os.Remove(f.path("old")); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, f *FS) {
			wantContent(t, f, "old", []byte("old data"))
		}},
		{"unlink with dir fsync stays gone", func(t *testing.T, f *FS) {
			if err := os.Remove(f.path("old")); err != nil {
				t.Fatal(err)
			}
			syncDir(t, f, "")
		}, func(t *testing.T, f *FS) {
			wantGone(t, f, "old")
		}},
		{"rename over a file without dir fsync is undone", func(t *testing.T, f *FS) {
			create(t, f, "tmp", []byte("new data"), true)
			if err := os.Rename(f.path("tmp"), f.path("old")); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, f *FS) {
			wantContent(t, f, "old", []byte("old data"))
			wantGone(t, f, "tmp")
		}},
		{"atomic replace with dir fsync survives", func(t *testing.T, f *FS) {
			create(t, f, "tmp", []byte("new data"), true)
			if err := os.Rename(f.path("tmp"), f.path("old")); err != nil {
				t.Fatal(err)
			}
			syncDir(t, f, "")
		}, func(t *testing.T, f *FS) {
			wantContent(t, f, "old", []byte("new data"))
			wantGone(t, f, "tmp")
		}},
		{"rename across directories durable at the destination", func(t *testing.T, f *FS) {
			if err := os.Rename(f.path("old"), f.path("sub/moved")); err != nil {
				t.Fatal(err)
			}
			syncDir(t, f, "sub")
		}, func(t *testing.T, f *FS) {
			wantContent(t, f, "sub/moved", []byte("old data"))
			wantGone(t, f, "old")
		}},
		{"mkdir without parent fsync disappears with its files", func(t *testing.T, f *FS) {
			if err := os.Mkdir(f.path("dir"), 0o755); err != nil {
				t.Fatal(err)
			}
			create(t, f, "dir/file", []byte("x"), true)
			syncDir(t, f, "dir")
		}, func(t *testing.T, f *FS) {
			if _, err := os.Stat(f.path("dir")); !os.IsNotExist(err) {
				t.Fatalf("dir: stat err %v, want it gone", err)
			}
		}},
		{"rmdir without parent fsync comes back", func(t *testing.T, f *FS) {
			if err := os.Remove(f.path("sub")); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, f *FS) {
			if st, err := os.Stat(f.path("sub")); err != nil || !st.IsDir() {
				t.Fatalf("sub: %v, want the directory back", err)
			}
		}},
		{"link and symlink without dir fsync disappear", func(t *testing.T, f *FS) {
			if err := os.Link(f.path("old"), f.path("hard")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("old", f.path("soft")); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, f *FS) {
			wantGone(t, f, "hard")
			if _, err := os.Lstat(f.path("soft")); !os.IsNotExist(err) {
				t.Fatalf("soft: lstat err %v, want it gone", err)
			}
			wantContent(t, f, "old", []byte("old data"))
		}},
		{"exchange without dir fsync is swapped back", func(t *testing.T, f *FS) {
			create(t, f, "other", []byte("other data"), true)
			syncDir(t, f, "")
			if err := unix.Renameat2(unix.AT_FDCWD, f.path("old"), unix.AT_FDCWD, f.path("other"), unix.RENAME_EXCHANGE); err != nil {
				t.Fatal(err)
			}
			wantContent(t, f, "old", []byte("other data"))
		}, func(t *testing.T, f *FS) {
			wantContent(t, f, "old", []byte("old data"))
			wantContent(t, f, "other", []byte("other data"))
		}},
		{"rename of a directory over an empty one is undone", func(t *testing.T, f *FS) {
			if err := os.Mkdir(f.path("src"), 0o755); err != nil {
				t.Fatal(err)
			}
			create(t, f, "src/x", []byte("x"), true)
			syncDir(t, f, "src")
			syncDir(t, f, "")
			// os.Rename refuses an existing directory as target; rename(2)
			// replaces an empty one.
			if err := unix.Rename(f.path("src"), f.path("sub")); err != nil {
				t.Fatal(err)
			}
			wantContent(t, f, "sub/x", []byte("x"))
		}, func(t *testing.T, f *FS) {
			wantContent(t, f, "src/x", []byte("x"))
			wantGone(t, f, "sub/x")
			if st, err := os.Stat(f.path("sub")); err != nil || !st.IsDir() {
				t.Fatalf("sub: %v, want the empty directory back", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mountT(t, 1)
			create(t, f, "old", []byte("old data"), true)
			if err := os.Mkdir(f.path("sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			syncDir(t, f, "")
			c.setup(t, f)
			powerLoss(t, f, DropUnsynced)
			c.check(t, f)
			// Nothing is left behind in the attic.
			if ents, err := os.ReadDir(f.attic); err != nil || len(ents) != 0 {
				t.Fatalf("attic after power loss: %v entries, err %v", len(ents), err)
			}
		})
	}
}

// TestUnlinkDurablePurgesAttic: once an unlink is durable its inode leaves
// the attic; a clean Close empties the attic too.
func TestUnlinkDurablePurgesAttic(t *testing.T) {
	f := mountT(t, 1)
	create(t, f, "a", []byte("x"), true)
	create(t, f, "b", []byte("y"), true)
	syncDir(t, f, "")
	for _, n := range []string{"a", "b"} {
		if err := os.Remove(f.path(n)); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(f.attic); len(ents) != 2 {
		t.Fatalf("attic holds %d entries, want the 2 unlinked files", len(ents))
	}
	syncDir(t, f, "")
	if ents, _ := os.ReadDir(f.attic); len(ents) != 0 {
		t.Fatalf("attic holds %d entries after the dir fsync, want 0", len(ents))
	}
}
