package faultfs

import (
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"golang.org/x/sys/unix"
)

// recordNew records that name was made in directory dir.
func (f *FS) recordNew(dir *node, name string) syscall.Errno {
	ds := f.track.dir(dir.key())
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if err := openDir(ds, dir.backing()); err != nil {
		return fs.ToErrno(err)
	}
	ds.ops = append(ds.ops, entryOp{seq: f.track.next(), kind: entryNew, name: name, path: path.Join(dir.rel(), name)})
	return 0
}

// remove unlinks name in dir, or removes it as an empty directory
// (rmdir), by moving it into the attic.
func (f *FS) remove(dir *node, name string, rmdir bool) syscall.Errno {
	ds := f.track.dir(dir.key())
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if err := openDir(ds, dir.backing()); err != nil {
		return fs.ToErrno(err)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(ds.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fs.ToErrno(err)
	}
	if e := mayGo(ds.fd, name, &st, rmdir); e != 0 {
		return e
	}
	a := f.atticName()
	if err := unix.Renameat(ds.fd, name, unix.AT_FDCWD, f.atticPath(a)); err != nil {
		return fs.ToErrno(err)
	}
	ds.ops = append(ds.ops, entryOp{seq: f.track.next(), kind: entryGone, name: name, attic: a, path: path.Join(dir.rel(), name)})
	return 0
}

func isDir(st *unix.Stat_t) bool { return st.Mode&unix.S_IFMT == unix.S_IFDIR }

// mayGo checks that entry name under dirfd (st its attributes) may be
// removed by rmdir (dir set) or unlink, or replaced by a rename of a
// directory (dir set) or of something else: the kinds must agree and a
// directory must be empty.
func mayGo(dirfd int, name string, st *unix.Stat_t, dir bool) syscall.Errno {
	switch {
	case dir && !isDir(st):
		return syscall.ENOTDIR
	case !dir && isDir(st):
		return syscall.EISDIR
	case dir:
		return emptyDir(dirfd, name)
	}
	return 0
}

// emptyDir returns 0 if directory name under dirfd has no entries,
// ENOTEMPTY if it has.
func emptyDir(dirfd int, name string) syscall.Errno {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fs.ToErrno(err)
	}
	d := os.NewFile(uintptr(fd), name)
	defer d.Close()
	names, err := d.Readdirnames(1)
	switch {
	case len(names) > 0:
		return syscall.ENOTEMPTY
	case err != nil && !errors.Is(err, io.EOF):
		return fs.ToErrno(err)
	}
	return 0
}

// rename moves from/name to to/newName; an entry it replaces is moved
// into the attic first.
func (f *FS) rename(from *node, name string, to *node, newName string, flags uint32) syscall.Errno {
	if flags&^(unix.RENAME_NOREPLACE|unix.RENAME_EXCHANGE) != 0 {
		return syscall.EINVAL
	}
	src := f.track.dir(from.key())
	dst := f.track.dir(to.key())
	// Lock both directories, the lower inode first.
	first, second := src, dst
	if second.ino < first.ino {
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	if second != first {
		second.mu.Lock()
		defer second.mu.Unlock()
	}
	if err := openDir(src, from.backing()); err != nil {
		return fs.ToErrno(err)
	}
	if err := openDir(dst, to.backing()); err != nil {
		return fs.ToErrno(err)
	}
	op := entryOp{kind: entryRename, name: newName, fromDir: src, fromName: name, path: path.Join(to.rel(), newName)}
	if flags&unix.RENAME_EXCHANGE != 0 {
		if err := unix.Renameat2(src.fd, name, dst.fd, newName, unix.RENAME_EXCHANGE); err != nil {
			return fs.ToErrno(err)
		}
		op.kind = entryExchange
		op.seq = f.track.next()
		dst.ops = append(dst.ops, op)
		return 0
	}
	var sst, dstt unix.Stat_t
	if err := unix.Fstatat(src.fd, name, &sst, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fs.ToErrno(err)
	}
	switch err := unix.Fstatat(dst.fd, newName, &dstt, unix.AT_SYMLINK_NOFOLLOW); {
	case errors.Is(err, unix.ENOENT):
	case err != nil:
		return fs.ToErrno(err)
	case flags&unix.RENAME_NOREPLACE != 0:
		return syscall.EEXIST
	case sst.Ino == dstt.Ino && sst.Dev == dstt.Dev:
		// Two names of one inode: rename does nothing.
		return 0
	default:
		if e := mayGo(dst.fd, newName, &dstt, isDir(&sst)); e != 0 {
			return e
		}
		op.attic = f.atticName()
		if err := unix.Renameat(dst.fd, newName, unix.AT_FDCWD, f.atticPath(op.attic)); err != nil {
			return fs.ToErrno(err)
		}
	}
	if err := unix.Renameat(src.fd, name, dst.fd, newName); err != nil {
		if op.attic != "" {
			unix.Renameat(unix.AT_FDCWD, f.atticPath(op.attic), dst.fd, newName)
		}
		return fs.ToErrno(err)
	}
	op.seq = f.track.next()
	dst.ops = append(dst.ops, op)
	return 0
}

// syncDir fsyncs directory n: once the backing directory's fsync returns,
// its entry ops that completed before it began are durable, and the
// entries they removed are deleted from the attic. The caller has entered
// the file system.
func (f *FS) syncDir(n *node) syscall.Errno {
	if e := f.admit(OpFsync, n.rel, 0); e != 0 {
		return e
	}
	ds := f.track.dir(n.key())
	ds.mu.Lock()
	k := len(ds.ops)
	ds.mu.Unlock()
	fd, err := unix.Open(filepath.Clean(n.backing()), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fs.ToErrno(err)
	}
	err = unix.Fsync(fd)
	unix.Close(fd)
	if err != nil {
		return fs.ToErrno(err)
	}
	ds.mu.Lock()
	done := ds.ops[:min(k, len(ds.ops))]
	ds.ops = append([]entryOp(nil), ds.ops[len(done):]...)
	ds.mu.Unlock()
	for _, op := range done {
		if op.attic != "" && op.kind != entryExchange {
			f.purge(op.attic)
		}
	}
	return 0
}
