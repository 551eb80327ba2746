package mr

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// atomicFile is a file written under a temporary name in its final
// directory and renamed to its final name only by Commit, so that readers
// see either no file or the whole of it. A process that dies before Commit
// leaves only a hidden temporary file (".tmp-<name>-*") behind, which no
// glob of final names (mr-out-*) matches.
//
// Files are not fsynced: atomicity covers process crashes, not machine
// crashes, which is what a MapReduce job's re-execution needs.
type atomicFile struct {
	f    *os.File
	w    *bufio.Writer
	path string
}

// createAtomic starts writing dir/name.
func createAtomic(dir, name string) (*atomicFile, error) {
	f, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return nil, fmt.Errorf("mr: create temporary file for %s: %w", name, err)
	}
	return &atomicFile{f: f, w: bufio.NewWriterSize(f, 256<<10), path: filepath.Join(dir, name)}, nil
}

// Write buffers p.
func (a *atomicFile) Write(p []byte) (int, error) { return a.w.Write(p) }

// WriteString buffers s.
func (a *atomicFile) WriteString(s string) (int, error) { return a.w.WriteString(s) }

// Commit flushes, closes and renames the file into place.
func (a *atomicFile) Commit() error {
	err := a.w.Flush()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("mr: write %s: %w", a.path, err)
	}
	return nil
}

// Abort discards the file.
func (a *atomicFile) Abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}

// writeFileAtomic writes data to dir/name atomically.
func writeFileAtomic(dir, name string, data []byte) error {
	a, err := createAtomic(dir, name)
	if err != nil {
		return err
	}
	// The buffer is empty: write the one big slice past it.
	if _, err := a.f.Write(data); err != nil {
		a.Abort()
		return fmt.Errorf("mr: write %s: %w", a.path, err)
	}
	return a.Commit()
}
