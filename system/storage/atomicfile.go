package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tmpSuffix marks files being written; Open deletes leftovers.
const tmpSuffix = ".tmp"

// writeFileAtomic replaces dir/name with data: it writes a temporary file,
// fsyncs it, renames it over name and fsyncs dir, so after a crash the file
// holds either its old or its new contents. With noSync the fsyncs are
// skipped.
func writeFileAtomic(dir, name string, data []byte, noSync bool) error {
	path := filepath.Join(dir, name)
	tmp := path + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: create %s: %w", tmp, err)
	}
	_, err = f.Write(data)
	if err == nil && !noSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("storage: rename %s: %w", tmp, err)
	}
	if noSync {
		return nil
	}
	return syncDir(dir)
}

// syncDir fsyncs directory dir, making creations, renames and removals in
// it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("storage: open dir %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: fsync dir %s: %w", dir, err)
	}
	return nil
}

// removeTemps deletes temporary files left by an interrupted
// writeFileAtomic.
func removeTemps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("storage: list %s: %w", dir, err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), tmpSuffix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("storage: remove %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}
