package faultfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
)

// ErrUnavailable is wrapped by every error saying FUSE cannot be used
// here: no /dev/fuse, no permission to open it, or no right to mount.
var ErrUnavailable = errors.New("faultfs: FUSE unavailable")

// fuseDevice is the FUSE device Available checks; tests point it
// elsewhere.
var fuseDevice = "/dev/fuse"

// Available reports whether this process can mount a faultfs, with an
// error wrapping ErrUnavailable that says why not. A harness calls it
// before a run that asks for storage faults, to refuse the run before
// start rather than fail in the middle. It checks /dev/fuse and the right
// to mount (root, or a fusermount helper), then mounts and unmounts a
// scratch file system under os.TempDir, the only proof that a container
// lets it.
func Available() error {
	fd, err := unix.Open(fuseDevice, unix.O_RDWR|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, unix.ENOENT):
		return fmt.Errorf("%w: %s does not exist (load the fuse module, or pass --device /dev/fuse to the container)", ErrUnavailable, fuseDevice)
	case err != nil:
		return fmt.Errorf("%w: open %s: %w", ErrUnavailable, fuseDevice, err)
	}
	unix.Close(fd)
	if os.Geteuid() != 0 {
		if _, err := exec.LookPath("fusermount3"); err != nil {
			if _, err := exec.LookPath("fusermount"); err != nil {
				return fmt.Errorf("%w: not root and no fusermount3 or fusermount on PATH (install the fuse3 package)", ErrUnavailable)
			}
		}
	}
	dir, err := os.MkdirTemp("", "faultfs-probe-")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer os.RemoveAll(dir)
	f, err := Mount(Config{Mountpoint: dir + "/mnt", Backing: dir + "/backing"})
	if err != nil {
		return fmt.Errorf("%w: probe mount: %w", ErrUnavailable, err)
	}
	return f.Close()
}
