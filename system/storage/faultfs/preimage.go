package faultfs

import (
	"bytes"
	"fmt"

	"golang.org/x/sys/unix"
)

// chunkSize is the granularity at which a pre-image drops runs of zeros:
// a preallocated write-ahead log overwrites zeros, and a trimmed one cuts
// zeros off, so most pre-images cost nothing to keep.
const chunkSize = 64 << 10

// chunk is a run of non-zero bytes of a pre-image at file offset off.
type chunk struct {
	off  int64
	data []byte
}

// preimage holds the bytes a range of a file held before a change, as the
// non-zero chunks of it; every byte of [from, to) outside a chunk was zero.
type preimage struct {
	from, to int64
	chunks   []chunk
}

// capture reads [from, to) of fd as it is now. An empty range captures
// nothing.
func capture(fd int, from, to int64) (preimage, error) {
	p := preimage{from: from, to: to}
	if to <= from {
		p.to = from
		return p, nil
	}
	buf := make([]byte, min(to-from, chunkSize))
	for off := from; off < to; {
		n := int(min(to-off, chunkSize))
		got, err := unix.Pread(fd, buf[:n], off)
		if err != nil {
			return p, fmt.Errorf("read pre-image at %d: %w", off, err)
		}
		if got == 0 {
			// The file is shorter than we thought: the rest reads as
			// nothing, which ftruncate restores.
			p.to = off
			break
		}
		if !allZero(buf[:got]) {
			p.chunks = append(p.chunks, chunk{off: off, data: bytes.Clone(buf[:got])})
		}
		off += int64(got)
	}
	return p, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// restore writes the pre-image's bytes at offsets >= keep back into fd:
// the chunks as they were and zeros between them.
func (p preimage) restore(fd int, keep int64) error {
	from := max(p.from, keep)
	var zeros []byte
	writeZeros := func(a, b int64) error {
		for a < b {
			if zeros == nil {
				zeros = make([]byte, chunkSize)
			}
			n := min(b-a, chunkSize)
			if _, err := unix.Pwrite(fd, zeros[:n], a); err != nil {
				return err
			}
			a += n
		}
		return nil
	}
	at := from
	for _, c := range p.chunks {
		end := c.off + int64(len(c.data))
		if end <= from {
			continue
		}
		start := max(c.off, from)
		if err := writeZeros(at, start); err != nil {
			return err
		}
		if _, err := unix.Pwrite(fd, c.data[start-c.off:], start); err != nil {
			return err
		}
		at = end
	}
	return writeZeros(at, p.to)
}
