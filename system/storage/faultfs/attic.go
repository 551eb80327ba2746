package faultfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// The attic is a directory beside the backing one where entries that were
// removed (unlink, rmdir, a rename's replaced target) wait until their
// removal is durable, so that power loss can put them back. Entries that
// power loss takes away are moved there too, then deleted with the rest.

// atticName returns a new name in the attic.
func (f *FS) atticName() string {
	f.atticMu.Lock()
	defer f.atticMu.Unlock()
	f.atticSeq++
	return "e" + strconv.FormatUint(f.atticSeq, 10)
}

// atticPath returns the path of attic entry name.
func (f *FS) atticPath(name string) string { return filepath.Join(f.attic, name) }

// emptyAttic deletes the attic and makes it anew, empty.
func (f *FS) emptyAttic() error {
	if err := os.RemoveAll(f.attic); err != nil {
		return fmt.Errorf("faultfs: empty attic: %w", err)
	}
	if err := os.Mkdir(f.attic, 0o700); err != nil {
		return fmt.Errorf("faultfs: make attic: %w", err)
	}
	return nil
}

// purge deletes attic entry name for good, once its removal is durable,
// and forgets the state of the inode it held unless another name still
// links it.
func (f *FS) purge(name string) {
	p := f.atticPath(name)
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return
	}
	os.RemoveAll(p)
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		f.track.forgetDir(st.Ino)
	case st.Nlink <= 1:
		f.track.forgetFile(st.Ino)
	}
}
