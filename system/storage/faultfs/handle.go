package faultfs

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// handle is an open file of the mount: a descriptor on the backing file.
// It offers no passthrough descriptor, so every read and write comes
// through it.
type handle struct {
	f  *FS
	n  *node
	fd int
	// ino is the backing inode, the key of the file's tracking state.
	ino uint64
	// name is the file's path when it was opened, for reports.
	name string
	// osync is set when the file was opened O_SYNC or O_DSYNC: the
	// backing file is too, so its writes are durable when they return.
	osync bool
}

var (
	_ fs.FileReader    = (*handle)(nil)
	_ fs.FileWriter    = (*handle)(nil)
	_ fs.FileWritever  = (*handle)(nil)
	_ fs.FileReleaser  = (*handle)(nil)
	_ fs.FileGetattrer = (*handle)(nil)
	_ fs.FileAllocater = (*handle)(nil)
	_ fs.FileLseeker   = (*handle)(nil)
	_ fs.FileFlusher   = (*handle)(nil)
)

func (f *FS) newHandle(n *node, fd int, flags uint32, ino uint64, name string) *handle {
	return &handle{f: f, n: n, fd: fd, ino: ino, name: name, osync: flags&(unix.O_SYNC|unix.O_DSYNC) != 0}
}

// rel returns the file's current path relative to the mount.
func (h *handle) rel() string {
	if h.n == nil {
		return h.name
	}
	return h.n.rel()
}

// Read reads from the backing file, through a buffer when a read fault
// is in force.
func (h *handle) Read(ctx context.Context, buf []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	defer h.f.enter()()
	if e := h.f.admit(OpRead, h.rel, 0); e != 0 {
		return nil, e
	}
	if !h.f.readFaults() {
		return fuse.ReadResultFd(uintptr(h.fd), off, len(buf)), 0
	}
	n, err := unix.Pread(h.fd, buf, off)
	if err != nil {
		return nil, fs.ToErrno(err)
	}
	h.f.flipOnRead(h.rel, buf[:n], off)
	return fuse.ReadResultData(buf[:n]), 0
}

// Write writes data at off.
func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	return h.Writev(ctx, [][]byte{data}, off)
}

// Writev writes the concatenation of data at off, recording the bytes it
// overwrites until an fsync makes it durable.
func (h *handle) Writev(ctx context.Context, data [][]byte, off int64) (uint32, syscall.Errno) {
	defer h.f.enter()()
	var total int64
	for _, d := range data {
		total += int64(len(d))
	}
	if e := h.f.admit(OpWrite, h.rel, total); e != 0 {
		return 0, e
	}
	if h.osync {
		n, err := unix.Pwritev(h.fd, data, off)
		return uint32(max(n, 0)), fs.ToErrno(err)
	}
	s, size, e := h.lockState()
	if e != 0 {
		return 0, e
	}
	defer s.mu.Unlock()
	pre, err := capture(h.fd, off, min(off+total, size))
	if err != nil {
		return 0, syscall.EIO
	}
	if e := s.hold(h.fd); e != 0 {
		return 0, e
	}
	n, err := unix.Pwritev(h.fd, data, off)
	if n > 0 {
		end := off + int64(n)
		s.record(dataOp{seq: h.f.track.next(), oldSize: size, end: end, pre: pre, name: h.name, write: true}, max(size, end))
	}
	return uint32(max(n, 0)), fs.ToErrno(err)
}

// lockState locks the file's tracking state and returns it with the
// file's size; the caller unlocks it, unless an error comes back.
func (h *handle) lockState() (*fileState, int64, syscall.Errno) {
	s := h.f.track.file(h.ino)
	s.mu.Lock()
	size, err := s.sizeOf(h.fd)
	if err != nil {
		s.mu.Unlock()
		return nil, 0, fs.ToErrno(err)
	}
	return s, size, 0
}

// truncate sets the file's size, recording the bytes it cuts off. The
// caller has entered the file system.
func (h *handle) truncate(size int64) syscall.Errno {
	s, cur, e := h.lockState()
	if e != 0 {
		return e
	}
	defer s.mu.Unlock()
	if size == cur {
		return fs.ToErrno(unix.Ftruncate(h.fd, size))
	}
	pre, err := capture(h.fd, size, cur)
	if err != nil {
		return syscall.EIO
	}
	if e := s.hold(h.fd); e != 0 {
		return e
	}
	if err := unix.Ftruncate(h.fd, size); err != nil {
		return fs.ToErrno(err)
	}
	s.record(dataOp{seq: h.f.track.next(), oldSize: cur, end: min(size, cur), pre: pre, name: h.name}, size)
	return 0
}

// Allocate preallocates, punches or zeroes a range. Modes that move data
// (collapse, insert) are refused.
func (h *handle) Allocate(ctx context.Context, off, size uint64, mode uint32) syscall.Errno {
	defer h.f.enter()()
	const changes = unix.FALLOC_FL_PUNCH_HOLE | unix.FALLOC_FL_ZERO_RANGE
	if mode&^(changes|unix.FALLOC_FL_KEEP_SIZE) != 0 {
		return syscall.EOPNOTSUPP
	}
	if e := h.f.admit(OpWrite, h.rel, int64(size)); e != 0 {
		return e
	}
	s, cur, e := h.lockState()
	if e != 0 {
		return e
	}
	defer s.mu.Unlock()
	start, end := int64(off), int64(off+size)
	pre := preimage{from: min(start, cur), to: min(start, cur)}
	if mode&changes != 0 {
		var err error
		if pre, err = capture(h.fd, start, min(end, cur)); err != nil {
			return syscall.EIO
		}
	}
	if e := s.hold(h.fd); e != 0 {
		return e
	}
	if err := unix.Fallocate(h.fd, mode, start, int64(size)); err != nil {
		return fs.ToErrno(err)
	}
	newSize := cur
	if mode&unix.FALLOC_FL_KEEP_SIZE == 0 {
		newSize = max(cur, end)
	}
	if newSize == cur && pre.to == pre.from {
		return 0
	}
	s.record(dataOp{seq: h.f.track.next(), oldSize: cur, end: max(pre.to, min(end, newSize)), pre: pre, name: h.name}, newSize)
	return 0
}

// sync is fsync (flags bit 0 clear) or fdatasync: once the backing file's
// sync returns, the ops that completed before it began are durable. The
// caller has entered the file system.
func (h *handle) sync(flags uint32) syscall.Errno {
	if e := h.f.admit(OpFsync, h.rel, 0); e != 0 {
		return e
	}
	s := h.f.track.file(h.ino)
	s.mu.Lock()
	k := len(s.ops)
	s.mu.Unlock()
	var err error
	if flags&fsyncDataSync != 0 {
		err = unix.Fdatasync(h.fd)
	} else {
		err = unix.Fsync(h.fd)
	}
	if err != nil {
		return fs.ToErrno(err)
	}
	s.mu.Lock()
	s.durable(k)
	s.mu.Unlock()
	return 0
}

// Flush is called at every close of a descriptor; nothing is buffered.
func (h *handle) Flush(ctx context.Context) syscall.Errno { return 0 }

// Release closes the backing descriptor.
func (h *handle) Release(ctx context.Context) syscall.Errno {
	return fs.ToErrno(unix.Close(h.fd))
}

// Getattr reports the backing file's attributes.
func (h *handle) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Fstat(h.fd, &st); err != nil {
		return fs.ToErrno(err)
	}
	out.FromStat(&st)
	return 0
}

// Lseek serves SEEK_DATA and SEEK_HOLE.
func (h *handle) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	n, err := unix.Seek(h.fd, int64(off), int(whence))
	return uint64(n), fs.ToErrno(err)
}

// dirHandle is an open directory: its listing, and its fsync tracked.
type dirHandle struct {
	n  *node
	ds fs.DirStream
}

var (
	_ fs.FileReaddirenter = (*dirHandle)(nil)
	_ fs.FileReleasedirer = (*dirHandle)(nil)
	_ fs.FileSeekdirer    = (*dirHandle)(nil)
	_ fs.FileFsyncdirer   = (*dirHandle)(nil)
)

// Readdirent returns the next entry, nil at the end.
func (d *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	if r, ok := d.ds.(fs.FileReaddirenter); ok {
		return r.Readdirent(ctx)
	}
	if !d.ds.HasNext() {
		return nil, 0
	}
	e, errno := d.ds.Next()
	return &e, errno
}

// Seekdir rewinds or seeks the listing.
func (d *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	if s, ok := d.ds.(fs.FileSeekdirer); ok {
		return s.Seekdir(ctx, off)
	}
	return syscall.ENOTSUP
}

// Releasedir closes the listing.
func (d *dirHandle) Releasedir(ctx context.Context, flags uint32) { d.ds.Close() }

// Fsyncdir makes the directory's entries durable.
func (d *dirHandle) Fsyncdir(ctx context.Context, flags uint32) syscall.Errno {
	defer d.n.fs.enter()()
	return d.n.fs.syncDir(d.n)
}

// fsyncDataSync is the bit of FUSE_FSYNC's flags that asks for
// fdatasync.
const fsyncDataSync = 1
