package raft

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// benchWALChunk is how far ahead benchWAL allocates its file: etcd's WAL
// preallocates 64 MiB segments, so that an fdatasync flushes data only,
// never the file's growing size.
const benchWALChunk = 64 << 20

// benchWAL is the write-ahead log of the other contenders' fsync variants
// in the ratio benchmark, built as etcd's WAL is: records (8-byte length,
// 4-byte CRC32C, payload) written sequentially into a preallocated file,
// and one fdatasync per save that must be durable. hashicorp/raft's
// durable log (raft-wal) also appends checksummed records and syncs each
// StoreLogs batch, so both use it.
type benchWAL struct {
	f    *os.File
	buf  []byte // records not yet written
	off  int64  // where the next write goes
	size int64  // allocated length of f
}

var benchCRC = crc32.MakeTable(crc32.Castagnoli)

// openBenchWAL creates the log in dir.
func openBenchWAL(dir string) (*benchWAL, error) {
	f, err := os.OpenFile(filepath.Join(dir, "wal"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bench wal: %w", err)
	}
	w := &benchWAL{f: f}
	if err := w.grow(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// grow allocates the next chunk of the file.
func (w *benchWAL) grow() error {
	if err := preallocate(w.f, w.size+benchWALChunk); err != nil {
		return fmt.Errorf("bench wal: preallocate: %w", err)
	}
	w.size += benchWALChunk
	return nil
}

// record appends one record whose payload put writes into the buffer it
// is given (of exactly n bytes).
func (w *benchWAL) record(n int, put func([]byte)) {
	start := len(w.buf)
	w.buf = append(w.buf, make([]byte, 12+n)...)
	rec := w.buf[start:]
	put(rec[12:])
	binary.BigEndian.PutUint64(rec, uint64(n))
	binary.BigEndian.PutUint32(rec[8:], crc32.Checksum(rec[12:], benchCRC))
}

// commit writes the buffered records and, when sync is set, makes them
// durable with fdatasync.
func (w *benchWAL) commit(sync bool) error {
	if len(w.buf) > 0 {
		for w.off+int64(len(w.buf)) > w.size {
			if err := w.grow(); err != nil {
				return err
			}
		}
		if _, err := w.f.WriteAt(w.buf, w.off); err != nil {
			return fmt.Errorf("bench wal: write: %w", err)
		}
		w.off += int64(len(w.buf))
		w.buf = w.buf[:0]
	}
	if sync {
		if err := datasync(w.f); err != nil {
			return fmt.Errorf("bench wal: sync: %w", err)
		}
	}
	return nil
}

func (w *benchWAL) close() error { return w.f.Close() }
