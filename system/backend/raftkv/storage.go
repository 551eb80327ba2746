package raftkv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"faultline/system/backend"
	"faultline/system/storage/faultfs"
	"faultline/transport"
)

// BackingSuffix names the directory beside a node's data directory where
// its bytes live while a faultfs is mounted over the data directory.
const BackingSuffix = ".real"

// disks are the fault-injecting file systems mounted over the nodes' data
// directories, index for index, when the cluster was started with
// backend.Spec.StorageFaults.
type disks struct {
	fs  []*faultfs.FS
	mu  sync.Mutex
	rng *rand.Rand // picks the file a corruption hits
}

// cleanStale unmounts what a crashed harness left mounted beside dir
// (the runner makes every cluster directory in one parent), whether or
// not this run mounts anything.
func cleanStale(dir string, logger *slog.Logger) {
	cleaned, err := faultfs.CleanStale(filepath.Dir(dir))
	if len(cleaned) > 0 && logger != nil {
		logger.Warn("unmounted stale storage fault mounts of a crashed run", "mounts", cleaned)
	}
	if err != nil && logger != nil {
		logger.Warn("stale storage fault mounts", "err", err)
	}
}

// mountDisks mounts a faultfs over each of dirs (backed by dir +
// BackingSuffix). Storage faults need process mode: a node that stops on
// a storage error must exit to be restarted, and a node's file system
// must not be served by the process that uses it.
func mountDisks(spec backend.Spec, dirs []string) (*disks, error) {
	if spec.Mode != backend.ModeProcess {
		return nil, fmt.Errorf("raftkv: storage faults need mode process (in-process nodes cannot be restarted after a storage error): %w", backend.ErrUnsupported)
	}
	if err := faultfs.Available(); err != nil {
		return nil, fmt.Errorf("raftkv: storage faults: %w", err)
	}
	d := &disks{rng: rand.New(rand.NewPCG(uint64(spec.Seed), 0x7f4a7c15))}
	for i, dir := range dirs {
		f, err := faultfs.Mount(faultfs.Config{Mountpoint: dir, Backing: dir + BackingSuffix, Seed: uint64(spec.Seed)<<8 + uint64(i)})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("raftkv: node %d: %w", i, err), d.Close())
		}
		d.fs = append(d.fs, f)
	}
	return d, nil
}

// Close unmounts every file system. A nil disks has nothing to close.
func (d *disks) Close() error {
	if d == nil {
		return nil
	}
	var errs []error
	for _, f := range d.fs {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

var _ backend.StorageFaulter = (*Cluster)(nil)

// disk returns node's file system.
func (c *Cluster) disk(node string) (*faultfs.FS, error) {
	if c.disks == nil {
		return nil, fmt.Errorf("raftkv: storage fault on %s: the cluster was started without storage faults (Spec.StorageFaults): %w", node, backend.ErrUnsupported)
	}
	i, err := c.Index(node)
	if err != nil {
		return nil, err
	}
	return c.disks.fs[i], nil
}

// LosePower implements backend.StorageFaulter: node, killed, loses what
// it had not fsynced as mode says (faultfs.FS.PowerLoss).
func (c *Cluster) LosePower(_ context.Context, node string, mode backend.LossMode) (string, error) {
	f, err := c.disk(node)
	if err != nil {
		return "", err
	}
	if c.Pid(node) != 0 {
		return "", fmt.Errorf("raftkv: power loss of %s: it is running; kill it first", node)
	}
	rep, err := f.PowerLoss(faultfs.LossMode(mode))
	if err != nil {
		return "", fmt.Errorf("raftkv: power loss of %s: %w", node, err)
	}
	s := fmt.Sprintf("kept %d of %d un-synced op(s)", rep.Kept, rep.Pending)
	if t := rep.Torn; t != nil {
		s += fmt.Sprintf(", tore %s at %d: %d of %d byte(s) kept", t.File, t.Offset, t.Kept, t.Length)
	}
	if len(rep.Lost) > 0 {
		s += ", lost changes to " + strings.Join(rep.Lost, " ")
	}
	return s, nil
}

// StorageFault implements backend.StorageFaulter. Healing a disk-full,
// io-error or on-read corruption restarts the node if it stopped on the
// storage error meanwhile (the node process exits on one).
func (c *Cluster) StorageFault(ctx context.Context, node string, sf backend.StorageFault) (backend.StorageWindow, error) {
	f, err := c.disk(node)
	if err != nil {
		return backend.StorageWindow{}, err
	}
	var w *faultfs.Fault
	var desc string
	switch sf.Kind {
	case backend.StorageDiskFull:
		w, err = f.DiskFull(faultfs.DiskFull{Budget: sf.Budget})
		desc = fmt.Sprintf("disk full after %d byte(s)", sf.Budget)
	case backend.StorageIOError:
		ops, names := faultfs.Ops(0), []string(nil)
		for _, o := range []struct {
			on   bool
			op   faultfs.Ops
			name string
		}{{sf.Read, faultfs.OpRead, "read"}, {sf.Write, faultfs.OpWrite, "write"}, {sf.Fsync, faultfs.OpFsync, "fsync"}} {
			if o.on {
				ops, names = ops|o.op, append(names, o.name)
			}
		}
		if ops == 0 {
			ops, names = faultfs.OpAll, []string{"read", "write", "fsync"}
		}
		w, err = f.IOError(faultfs.IOError{Pattern: sf.Pattern, Ops: ops})
		desc = fmt.Sprintf("EIO on %s of %s", strings.Join(names, ", "), orAll(sf.Pattern))
	case backend.StorageSlowDisk:
		l := transport.LinkFaults{Delay: sf.Delay, Jitter: sf.Jitter, Distribution: transport.Distribution(sf.Distribution)}
		w, err = f.SlowDisk(faultfs.SlowDisk{Latency: l, Writes: sf.Writes})
		desc = fmt.Sprintf("fsync delay %v±%v", sf.Delay, sf.Jitter)
		if sf.Writes {
			desc += ", writes too"
		}
	case backend.StorageCorrupt:
		w, desc, err = c.corrupt(f, sf)
	default:
		err = fmt.Errorf("unknown storage fault %q: %w", sf.Kind, backend.ErrUnsupported)
	}
	if err != nil {
		return backend.StorageWindow{}, fmt.Errorf("raftkv: %s on %s: %w", sf.Kind, node, err)
	}
	return backend.StorageWindow{Desc: desc, Heal: func(ctx context.Context) error {
		w.Heal()
		if sf.Kind == backend.StorageCorrupt && !sf.OnRead {
			return nil // for good: a node that refuses its log stays down
		}
		return c.Restart(ctx, node)
	}}, nil
}

func orAll(pattern string) string {
	if pattern == "" {
		return "every file"
	}
	return pattern
}

// corrupt flips bits in a file matching sf.Pattern, chosen at random
// among those long enough.
func (c *Cluster) corrupt(f *faultfs.FS, sf backend.StorageFault) (*faultfs.Fault, string, error) {
	var files []string
	var sizes []int64
	err := filepath.WalkDir(f.Backing(), func(p string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(f.Backing(), p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if ok, _ := path.Match(sf.Pattern, rel); sf.Pattern != "" && !ok {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if info.Size() > sf.Offset && info.Size() >= sf.Offset+sf.Length {
			files, sizes = append(files, rel), append(sizes, info.Size())
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if len(files) == 0 {
		return nil, "", fmt.Errorf("no file matching %s has byte %d", orAll(sf.Pattern), sf.Offset+max(sf.Length, 1)-1)
	}
	c.disks.mu.Lock()
	i := c.disks.rng.IntN(len(files))
	c.disks.mu.Unlock()
	length := sf.Length
	if length == 0 {
		length = sizes[i] - sf.Offset
	}
	w, err := f.Corrupt(faultfs.Corrupt{File: files[i], Offset: sf.Offset, Length: length, Bits: sf.Bits, OnRead: sf.OnRead})
	if err != nil {
		return nil, "", err
	}
	where := "at rest"
	if sf.OnRead {
		where = "on read"
	}
	return w, fmt.Sprintf("flipped %s bit(s) %v of %s", where, w.Flipped(), files[i]), nil
}
