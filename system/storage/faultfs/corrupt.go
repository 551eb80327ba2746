package faultfs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hanwen/go-fuse/v2/fs"
)

// Corrupt flips bits of a file, at rest or on read (see the Corrupt
// type). The returned Fault's Flipped says which.
func (f *FS) Corrupt(c Corrupt) (*Fault, error) {
	rel := path.Clean(strings.TrimPrefix(filepath.ToSlash(c.File), "/"))
	if c.File == "" || rel == "." || strings.HasPrefix(rel, "../") || rel == ".." {
		return nil, fmt.Errorf("faultfs: corrupt: File %q, want a path inside the mount", c.File)
	}
	if c.Bits == 0 {
		c.Bits = 1
	}
	if c.Offset < 0 || c.Length <= 0 || c.Bits < 0 || int64(c.Bits) > c.Length*8 {
		return nil, fmt.Errorf("faultfs: corrupt: Offset %d, Length %d, Bits %d: want Offset >= 0, Length > 0, 1 <= Bits <= 8*Length", c.Offset, c.Length, c.Bits)
	}
	backing := filepath.Join(f.cfg.Backing, filepath.FromSlash(rel))
	st, err := os.Stat(backing)
	if err != nil {
		return nil, fmt.Errorf("faultfs: corrupt: %w", err)
	}
	if c.Offset+c.Length > st.Size() {
		return nil, fmt.Errorf("faultfs: corrupt: range [%d, %d) passes the end of %s (%d bytes)", c.Offset, c.Offset+c.Length, rel, st.Size())
	}
	var flipped []int64
	f.draw(func(r *rand.Rand) { flipped = chooseBits(r, c.Offset*8, c.Length*8, c.Bits) })
	w := &Fault{f: f, flipped: flipped}
	if !c.OnRead {
		if err := flipAtRest(backing, flipped); err != nil {
			return nil, fmt.Errorf("faultfs: corrupt: %w", err)
		}
		f.dropCache(func(name string) bool { return name == rel })
		return w, nil
	}
	w.id = f.faults.add(func(id uint64) {
		f.faults.rot = append(f.faults.rot, &rotFault{id: id, file: rel, flipped: flipped})
	})
	f.dropCache(func(name string) bool { return name == rel })
	return w, nil
}

// chooseBits draws k distinct bit offsets in [from, from+n), sorted.
func chooseBits(r *rand.Rand, from, n int64, k int) []int64 {
	seen := make(map[int64]bool, k)
	out := make([]int64, 0, k)
	for len(out) < k {
		b := from + r.Int64N(n)
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out
}

// flipAtRest flips bits of the file at path in place and makes it durable.
func flipAtRest(path string, bits []int64) error {
	file, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer file.Close()
	var b [1]byte
	for _, bit := range bits {
		if _, err := file.ReadAt(b[:], bit/8); err != nil {
			return err
		}
		b[0] ^= 1 << (bit % 8)
		if _, err := file.WriteAt(b[:], bit/8); err != nil {
			return err
		}
	}
	return file.Sync()
}

// flipOnRead flips, in buf (what a read of rel at off returns), the bits
// that on-read corruption faults choose.
func (f *FS) flipOnRead(rel func() string, buf []byte, off int64) {
	if f.faults.n.Load() == 0 {
		return
	}
	f.faults.mu.Lock()
	defer f.faults.mu.Unlock()
	if len(f.faults.rot) == 0 {
		return
	}
	name := rel()
	lo, hi := off*8, (off+int64(len(buf)))*8
	for _, rf := range f.faults.rot {
		if rf.file != name {
			continue
		}
		for _, bit := range rf.flipped {
			if bit >= lo && bit < hi {
				buf[bit/8-off] ^= 1 << (bit % 8)
			}
		}
	}
}

// readFaults reports whether a read may meet a fault, so it must go
// through a buffer rather than straight from the backing file.
func (f *FS) readFaults() bool {
	if f.faults.n.Load() == 0 {
		return false
	}
	f.faults.mu.Lock()
	defer f.faults.mu.Unlock()
	return len(f.faults.rot) > 0 || len(f.faults.ioerr) > 0
}

// dropCache asks the kernel to forget the cached pages of the files whose
// path matches, so that their next reads come to the file system (and
// meet the faults now in force, or no longer).
func (f *FS) dropCache(match func(rel string) bool) {
	f.mu.Lock()
	root := f.root
	f.mu.Unlock()
	if root == nil {
		return
	}
	var walk func(n *fs.Inode, rel string)
	walk = func(n *fs.Inode, rel string) {
		for name, ch := range n.Children() {
			p := path.Join(rel, name)
			if ch.IsDir() {
				walk(ch, p)
			} else if match(p) {
				ch.NotifyContent(0, 0)
			}
		}
	}
	walk(root.EmbeddedInode(), "")
}
