package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// journal is the node's count in one append-only file: one signed delta
// per line, each fsync'd before record returns.
type journal struct {
	path string
	f    *os.File
}

// load sums the journal's complete lines; a last line without its
// newline (torn by a kill) is cut off, so appends continue on a clean
// line. It opens the file for record.
func (j *journal) load() (sum int64, err error) {
	data, err := os.ReadFile(j.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("read %s: %w", j.path, err)
	}
	good := bytes.LastIndexByte(data, '\n') + 1
	sc := bufio.NewScanner(bytes.NewReader(data[:good]))
	for line := 1; sc.Scan(); line++ {
		d, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s:%d: %w", j.path, line, err)
		}
		sum += d
	}
	if j.f, err = os.OpenFile(j.path, os.O_RDWR|os.O_CREATE, 0o644); err != nil {
		return 0, fmt.Errorf("open %s: %w", j.path, err)
	}
	if err := j.f.Truncate(int64(good)); err != nil {
		return 0, fmt.Errorf("cut the torn end of %s: %w", j.path, err)
	}
	if _, err := j.f.Seek(int64(good), 0); err != nil {
		return 0, fmt.Errorf("seek %s: %w", j.path, err)
	}
	if good == 0 { // a new file: make its name durable too
		if err := syncDir(filepath.Dir(j.path)); err != nil {
			return 0, err
		}
	}
	return sum, nil
}

// syncDir fsyncs directory dir, so that a file created in it survives.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// record appends delta and fsyncs the file.
func (j *journal) record(delta int64) error {
	if _, err := j.f.Write(append(strconv.AppendInt(nil, delta, 10), '\n')); err != nil {
		return fmt.Errorf("append to %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", j.path, err)
	}
	return nil
}
