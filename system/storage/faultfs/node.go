package faultfs

import (
	"context"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// node is a file or directory of the mount. It passes through to the
// backing directory as go-fuse's loopback node does and overrides every
// operation that changes data or entries, to track durability and apply
// faults.
type node struct {
	*fs.LoopbackNode
	fs *FS
}

var (
	_ fs.NodeWrapChilder    = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeMkdirer        = (*node)(nil)
	_ fs.NodeMknoder        = (*node)(nil)
	_ fs.NodeSymlinker      = (*node)(nil)
	_ fs.NodeLinker         = (*node)(nil)
	_ fs.NodeUnlinker       = (*node)(nil)
	_ fs.NodeRmdirer        = (*node)(nil)
	_ fs.NodeRenamer        = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeFsyncer        = (*node)(nil)
	_ fs.NodeOpendirHandler = (*node)(nil)
	_ fs.NodeCopyFileRanger = (*node)(nil)
)

// WrapChild makes every node of the tree a faultfs node.
func (n *node) WrapChild(ctx context.Context, ops fs.InodeEmbedder) fs.InodeEmbedder {
	return &node{LoopbackNode: ops.(*fs.LoopbackNode), fs: n.fs}
}

// rel returns the node's path relative to the mount, "" for the root.
func (n *node) rel() string { return n.Path(nil) }

// backing returns the node's path in the backing directory.
func (n *node) backing() string { return filepath.Join(n.RootData.Path, n.rel()) }

// key returns the key of the node's tracking state.
func (n *node) key() uint64 { return n.StableAttr().Ino }

// stableAttr returns go-fuse's identity for a backing inode, as the
// loopback's Lookup computes it (inode number mixed with the device, and
// the birth time as generation), so nodes made here and nodes looked up
// agree.
func (n *node) stableAttr(st *syscall.Stat_t, btime unix.StatxTimestamp) fs.StableAttr {
	swap := func(d uint64) uint64 { return d<<32 | d>>32 }
	gen := uint64(1)
	if btime.Sec != 0 || btime.Nsec != 0 {
		gen = uint64(btime.Sec)*1e9 + uint64(btime.Nsec)
	}
	return fs.StableAttr{
		Mode: st.Mode,
		Gen:  gen,
		Ino:  swap(st.Dev) ^ swap(n.RootData.Dev) ^ st.Ino,
	}
}

// Create makes and opens a file. A name that already exists (made since
// the kernel looked) is opened instead, as open(2) with O_CREAT does.
func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	defer n.fs.enter()()
	if e := n.fs.beforeEntry(); e != 0 {
		return nil, nil, 0, e
	}
	p := filepath.Join(n.backing(), name)
	oflags, trunc := backingFlags(flags)
	fd, err := unix.Open(p, oflags|unix.O_CREAT|unix.O_EXCL, mode)
	created := err == nil
	if err == unix.EEXIST && flags&unix.O_EXCL == 0 {
		fd, err = unix.Open(p, oflags, 0)
	}
	if err != nil {
		return nil, nil, 0, fs.ToErrno(err)
	}
	if created {
		if caller, ok := fuse.FromContext(ctx); ok && os.Geteuid() == 0 {
			unix.Fchown(fd, int(caller.Uid), int(caller.Gid))
		}
		if e := n.fs.recordNew(n, name); e != 0 {
			unix.Close(fd)
			return nil, nil, 0, e
		}
	}
	var stx unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH, unix.STATX_BASIC_STATS|unix.STATX_BTIME, &stx); err != nil {
		unix.Close(fd)
		return nil, nil, 0, fs.ToErrno(err)
	}
	st := statFromStatx(&stx)
	h := n.fs.newHandle(nil, fd, flags, st.Ino, filepath.Join(n.rel(), name))
	if trunc && !created {
		if e := h.truncate(0); e != 0 {
			unix.Close(fd)
			return nil, nil, 0, e
		}
		st.Size = 0
	}
	child := n.NewInode(ctx, &fs.LoopbackNode{RootData: n.RootData}, n.stableAttr(&st, stx.Btime))
	h.n = child.Operations().(*node)
	out.FromStat(&st)
	return child, h, 0, 0
}

// statFromStatx fills a Stat_t from a Statx_t.
func statFromStatx(x *unix.Statx_t) syscall.Stat_t {
	return syscall.Stat_t{
		Dev:     unix.Mkdev(x.Dev_major, x.Dev_minor),
		Ino:     x.Ino,
		Nlink:   uint64(x.Nlink),
		Mode:    uint32(x.Mode),
		Uid:     x.Uid,
		Gid:     x.Gid,
		Rdev:    unix.Mkdev(x.Rdev_major, x.Rdev_minor),
		Size:    int64(x.Size),
		Blksize: int64(x.Blksize),
		Blocks:  int64(x.Blocks),
		Atim:    syscall.Timespec{Sec: x.Atime.Sec, Nsec: int64(x.Atime.Nsec)},
		Mtim:    syscall.Timespec{Sec: x.Mtime.Sec, Nsec: int64(x.Mtime.Nsec)},
		Ctim:    syscall.Timespec{Sec: x.Ctime.Sec, Nsec: int64(x.Ctime.Nsec)},
	}
}

// backingFlags turns the flags of an open into those of the backing open:
// a write-only open reads too (pre-images are read from it), O_APPEND is
// dropped (the kernel sends offsets), O_DIRECT is dropped (buffers are
// not aligned), O_TRUNC is done apart (trunc) so that it is tracked.
func backingFlags(flags uint32) (oflags int, trunc bool) {
	f := int(flags) &^ (unix.O_APPEND | unix.O_DIRECT | unix.O_TRUNC | unix.O_CREAT | unix.O_EXCL | fuse.FMODE_EXEC)
	if f&unix.O_ACCMODE == unix.O_WRONLY {
		f = f&^unix.O_ACCMODE | unix.O_RDWR
	}
	return f | unix.O_CLOEXEC, flags&unix.O_TRUNC != 0 && int(flags)&unix.O_ACCMODE != unix.O_RDONLY
}

// Open opens a file.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	defer n.fs.enter()()
	oflags, trunc := backingFlags(flags)
	fd, err := unix.Open(n.backing(), oflags|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, 0, fs.ToErrno(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, 0, fs.ToErrno(err)
	}
	h := n.fs.newHandle(n, fd, flags, st.Ino, n.rel())
	if trunc {
		if e := h.truncate(0); e != 0 {
			unix.Close(fd)
			return nil, 0, e
		}
	}
	return h, 0, 0
}

// made makes entry name in directory n with mk, under the faults in
// force (a full disk has no room), and records it.
func (n *node) made(name string, mk func() (*fs.Inode, syscall.Errno)) (*fs.Inode, syscall.Errno) {
	defer n.fs.enter()()
	if e := n.fs.beforeEntry(); e != 0 {
		return nil, e
	}
	ch, e := mk()
	if e == 0 {
		e = n.fs.recordNew(n, name)
	}
	return ch, e
}

// Mkdir makes a directory.
func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return n.made(name, func() (*fs.Inode, syscall.Errno) { return n.LoopbackNode.Mkdir(ctx, name, mode, out) })
}

// Mknod makes a special file.
func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return n.made(name, func() (*fs.Inode, syscall.Errno) { return n.LoopbackNode.Mknod(ctx, name, mode, rdev, out) })
}

// Symlink makes a symbolic link.
func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return n.made(name, func() (*fs.Inode, syscall.Errno) { return n.LoopbackNode.Symlink(ctx, target, name, out) })
}

// Link makes a hard link.
func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return n.made(name, func() (*fs.Inode, syscall.Errno) { return n.LoopbackNode.Link(ctx, target, name, out) })
}

// Unlink removes a name; the inode waits in the attic until the removal
// is durable.
func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	defer n.fs.enter()()
	return n.fs.remove(n, name, false)
}

// Rmdir removes an empty directory, into the attic like Unlink.
func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	defer n.fs.enter()()
	return n.fs.remove(n, name, true)
}

// Rename moves an entry; a replaced target waits in the attic.
func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	defer n.fs.enter()()
	to, ok := newParent.(*node)
	if !ok {
		return syscall.EXDEV
	}
	return n.fs.rename(n, name, to, newName, flags)
}

// Setattr changes attributes; a size change is a tracked truncate.
func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	defer n.fs.enter()()
	if size, ok := in.GetSize(); ok {
		h, ok := f.(*handle)
		if !ok {
			fd, err := unix.Open(n.backing(), unix.O_RDWR|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
			if err != nil {
				return fs.ToErrno(err)
			}
			var st unix.Stat_t
			if err := unix.Fstat(fd, &st); err != nil {
				unix.Close(fd)
				return fs.ToErrno(err)
			}
			h = n.fs.newHandle(n, fd, unix.O_RDWR, st.Ino, n.rel())
			defer unix.Close(fd)
		}
		if e := h.truncate(int64(size)); e != 0 {
			return e
		}
		rest := *in
		rest.Valid &^= fuse.FATTR_SIZE
		in = &rest
	}
	return n.LoopbackNode.Setattr(ctx, nil, in, out)
}

// Fsync makes a file's writes, or a directory's entries, durable.
func (n *node) Fsync(ctx context.Context, f fs.FileHandle, flags uint32) syscall.Errno {
	defer n.fs.enter()()
	if n.IsDir() {
		return n.fs.syncDir(n)
	}
	if h, ok := f.(*handle); ok {
		return h.sync(flags)
	}
	fd, err := unix.Open(n.backing(), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fs.ToErrno(err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fs.ToErrno(err)
	}
	return n.fs.newHandle(n, fd, unix.O_RDONLY, st.Ino, n.rel()).sync(flags)
}

// OpendirHandle opens a directory for reading; the handle's fsync is
// tracked (the loopback's own would bypass the tracking).
func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	ds, e := n.Readdir(ctx)
	if e != 0 {
		return nil, 0, e
	}
	return &dirHandle{n: n, ds: ds}, 0, 0
}

// CopyFileRange is refused with ENOSYS so that the kernel copies with
// reads and writes, which are tracked.
func (n *node) CopyFileRange(ctx context.Context, fhIn fs.FileHandle, offIn uint64, out *fs.Inode, fhOut fs.FileHandle, offOut uint64, length uint64, flags uint64) (uint32, syscall.Errno) {
	return 0, syscall.ENOSYS
}
