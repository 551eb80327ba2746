package faultfs

import (
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
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

// state is the durability state of one backing file or directory: its
// un-synced ops, oldest first, and a descriptor of its own on it.
type state[Op any] struct {
	ino uint64
	mu  sync.Mutex
	// fd is the state's own descriptor: for a file, a duplicate open
	// while ops is not empty; for a directory, an O_PATH descriptor
	// opened by the first op that needs it and kept until the state is
	// dropped. -1 when closed.
	fd  int
	ops []Op
}

// fileState is the durability state of one backing file.
type fileState struct {
	state[dataOp]
	// size is the file's size as of the last op; valid once sized.
	size  int64
	sized bool
}

// dirState is the durability state of one backing directory.
type dirState = state[entryOp]

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
		s = &fileState{state: state[dataOp]{ino: ino, fd: -1}}
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
func (t *tracker) forgetFile(ino uint64) { forget(t, t.files, ino) }

// forgetDir drops the state of a directory removed for good.
func (t *tracker) forgetDir(ino uint64) { forget(t, t.dirs, ino) }

// forget drops the state of inode ino from m, one of t's maps.
func forget[S interface{ clear() }](t *tracker, m map[uint64]S, ino uint64) {
	t.mu.Lock()
	s, ok := m[ino]
	delete(m, ino)
	t.mu.Unlock()
	if ok {
		s.clear()
	}
}

// reset drops every state, closing their descriptors.
func (t *tracker) reset() {
	t.mu.Lock()
	files, dirs := t.files, t.dirs
	t.files, t.dirs = map[uint64]*fileState{}, map[uint64]*dirState{}
	t.mu.Unlock()
	for _, s := range files {
		s.clear()
	}
	for _, s := range dirs {
		s.clear()
	}
}

// next numbers an op.
func (t *tracker) next() uint64 { return t.seq.Add(1) }

// clear drops the ops and closes the descriptor.
func (s *state[Op]) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeFd()
	s.ops = nil
}

func (s *state[Op]) closeFd() {
	if s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
}

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

// hold makes sure the state has a descriptor of its own on the file (a
// duplicate of fd), so that an op can be recorded once made. Called with
// mu held, before the change.
func (s *fileState) hold(fd int) syscall.Errno {
	if s.fd >= 0 {
		return 0
	}
	d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return fs.ToErrno(err)
	}
	s.fd = d
	return 0
}

// record adds op, after which the file's size is size. Called with mu
// held, after hold.
func (s *fileState) record(op dataOp, size int64) {
	s.ops = append(s.ops, op)
	s.size = size
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

// openDir makes sure the directory has its own descriptor, opening path if
// not. Called with mu held.
func openDir(s *dirState, path string) error {
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
