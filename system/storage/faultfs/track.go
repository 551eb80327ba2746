package faultfs

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// This file keeps what is not yet durable. Every change that reaches the
// backing directory through the mount is applied at once (the backing
// directory always shows what the page cache would) and recorded here, with
// what it takes to undo it, until an fsync makes it durable:
//
//   - a change to a file's bytes or size (write, truncate, fallocate) is a
//     dataOp on the file's state, holding the size before and a pre-image
//     of the bytes it overwrote; fsync or fdatasync of the file drops the
//     ops that completed before it began;
//   - a change to a directory's entries (create, mkdir, link, symlink,
//     mknod, unlink, rmdir, rename) is an entryOp on the directory's state;
//     fsync of the directory drops them. An entry that goes away is moved
//     into the attic, a directory beside the backing one, so that it can
//     come back; it is deleted for good once its removal is durable.
//
// States are keyed by the backing inode number, not by the go-fuse node,
// which the kernel may forget and look up again. Each state holds a
// descriptor of its own on the backing file or directory while it has ops,
// so ops are undone without paths, wherever renames have since put the
// inode. Every op takes a number from one counter, so power loss can undo
// them newest first across files and directories.

// dataOp is one un-synced change to a file's bytes or size: afterwards the
// file held new bytes in [pre.from, end) and its size may have moved from
// oldSize. Undoing it truncates the file back to oldSize and writes the
// pre-image back.
type dataOp struct {
	seq     uint64
	oldSize int64
	// end is the end of the range written (write) or changed (punch,
	// zero); a truncate or an allocation that extends has end = pre.from.
	end  int64
	pre  preimage
	name string
	// write marks a write (the kind that tear-last-write can tear).
	write bool
}

// fileState is the durability state of one backing file.
type fileState struct {
	ino uint64
	mu  sync.Mutex
	// size is the file's size as of the last op; valid once sized.
	size  int64
	sized bool
	// fd is the state's own descriptor on the file, open while ops is not
	// empty, -1 otherwise.
	fd  int
	ops []dataOp
}

// entryKind says what an entryOp did.
type entryKind uint8

const (
	// entryNew made a name (create, mkdir, symlink, mknod, link).
	entryNew entryKind = iota
	// entryGone removed a name (unlink, rmdir); the inode waits in the
	// attic under attic.
	entryGone
	// entryRename moved fromDir/fromName to name; attic names what it
	// replaced, if anything.
	entryRename
	// entryExchange swapped fromDir/fromName and name.
	entryExchange
)

// entryOp is one un-synced change to a directory's entries. It belongs to
// the directory that holds name after it (for a rename, the destination):
// fsync of that directory makes it durable.
type entryOp struct {
	seq      uint64
	kind     entryKind
	name     string
	fromDir  *dirState
	fromName string
	attic    string
	path     string
}

// dirState is the durability state of one backing directory.
type dirState struct {
	ino uint64
	mu  sync.Mutex
	// fd is an O_PATH descriptor on the directory, opened by the first op
	// that needs it and kept until the state is dropped (after power loss,
	// at Close, or once the directory's removal is durable); -1 before.
	fd  int
	ops []entryOp
}

// tracker holds every state with un-synced ops.
type tracker struct {
	seq   atomic.Uint64
	mu    sync.Mutex
	files map[uint64]*fileState
	dirs  map[uint64]*dirState
}

func newTracker() *tracker {
	return &tracker{files: map[uint64]*fileState{}, dirs: map[uint64]*dirState{}}
}

// file returns the state of the file with inode ino, making it if needed.
func (t *tracker) file(ino uint64) *fileState {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.files[ino]
	if s == nil {
		s = &fileState{ino: ino, fd: -1}
		t.files[ino] = s
	}
	return s
}

// dir returns the state of the directory with inode ino, making it if
// needed.
func (t *tracker) dir(ino uint64) *dirState {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.dirs[ino]
	if s == nil {
		s = &dirState{ino: ino, fd: -1}
		t.dirs[ino] = s
	}
	return s
}

// forgetFile drops the state of a file whose last name was removed for
// good.
func (t *tracker) forgetFile(ino uint64) {
	t.mu.Lock()
	s := t.files[ino]
	delete(t.files, ino)
	t.mu.Unlock()
	if s != nil {
		s.mu.Lock()
		s.closeFd()
		s.ops = nil
		s.mu.Unlock()
	}
}

// next numbers an op.
func (t *tracker) next() uint64 { return t.seq.Add(1) }

// sizeOf returns the file's size, asking fd the first time. Called with mu
// held.
func (s *fileState) sizeOf(fd int) (int64, error) {
	if s.sized {
		return s.size, nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, err
	}
	s.size, s.sized = st.Size, true
	return s.size, nil
}

// add records op, taking a descriptor of its own on the file (a duplicate
// of fd) if it has none. Called with mu held.
func (s *fileState) add(op dataOp, fd int) error {
	if s.fd < 0 {
		d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return err
		}
		s.fd = d
	}
	s.ops = append(s.ops, op)
	return nil
}

// durable drops the first n ops, made durable by an fsync that began after
// them. Called with mu held.
func (s *fileState) durable(n int) {
	n = min(n, len(s.ops))
	s.ops = append([]dataOp(nil), s.ops[n:]...)
	if len(s.ops) == 0 {
		s.ops = nil
		s.closeFd()
	}
}

func (s *fileState) closeFd() {
	if s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
}

// open makes sure the directory has its own descriptor, opening path if
// not. Called with mu held.
func (s *dirState) open(path string) error {
	if s.fd >= 0 {
		return nil
	}
	fd, err := unix.Open(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	s.fd = fd
	return nil
}

func (s *dirState) closeFd() {
	if s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
}

// forgetDir drops the state of a directory removed for good.
func (t *tracker) forgetDir(ino uint64) {
	t.mu.Lock()
	s := t.dirs[ino]
	delete(t.dirs, ino)
	t.mu.Unlock()
	if s != nil {
		s.mu.Lock()
		s.closeFd()
		s.ops = nil
		s.mu.Unlock()
	}
}

// reset drops every state, closing their descriptors.
func (t *tracker) reset() {
	t.mu.Lock()
	files, dirs := t.files, t.dirs
	t.files, t.dirs = map[uint64]*fileState{}, map[uint64]*dirState{}
	t.mu.Unlock()
	for _, s := range files {
		s.mu.Lock()
		s.closeFd()
		s.ops = nil
		s.mu.Unlock()
	}
	for _, s := range dirs {
		s.mu.Lock()
		s.closeFd()
		s.ops = nil
		s.mu.Unlock()
	}
}
