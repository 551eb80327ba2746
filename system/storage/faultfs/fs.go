package faultfs

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// FS is one mounted fault-injecting file system: a passthrough over
// Config.Backing mounted at Config.Mountpoint that tracks what is durable.
// Its methods are safe for concurrent use.
type FS struct {
	cfg   Config
	attic string

	// gate is held shared by every file system operation and exclusively
	// by PowerLoss and Close once the server is unmounted, so they see no
	// operation half done even when a busy mount had to be detached.
	gate sync.RWMutex
	// life serialises Close and PowerLoss, which unmount and (PowerLoss)
	// mount again.
	life sync.Mutex
	// mu guards server, root and closed.
	mu     sync.Mutex
	server *fuse.Server
	root   *node
	closed bool

	track  *tracker
	faults faultSet

	rngMu sync.Mutex
	rng   *rand.Rand

	// atticSeq names attic entries.
	atticSeq uint64
	atticMu  sync.Mutex
}

// Mount mounts a file system as cfg says. It first unmounts a stale
// mount that a crashed run left on the mountpoint (CleanStale) and
// empties a stale attic.
// The caller must Close it.
func Mount(cfg Config) (*FS, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	if _, err := CleanStale(cfg.Mountpoint); err != nil {
		return nil, err
	}
	f := &FS{
		cfg:   cfg,
		attic: cfg.Backing + AtticSuffix,
		track: newTracker(),
		rng:   rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
	}
	for _, dir := range []string{cfg.Mountpoint, cfg.Backing} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("faultfs: %w", err)
		}
	}
	if err := f.emptyAttic(); err != nil {
		return nil, err
	}
	if err := f.mount(); err != nil {
		return nil, err
	}
	return f, nil
}

// Mountpoint returns where the file system is mounted.
func (f *FS) Mountpoint() string { return f.cfg.Mountpoint }

// Backing returns the real directory underneath.
func (f *FS) Backing() string { return f.cfg.Backing }

// mount starts a server on the mountpoint.
func (f *FS) mount() error {
	root, err := fs.NewLoopbackRoot(f.cfg.Backing)
	if err != nil {
		return fmt.Errorf("faultfs: backing %s: %w", f.cfg.Backing, err)
	}
	top := &node{LoopbackNode: root.(*fs.LoopbackNode), fs: f}
	root.(*fs.LoopbackNode).RootData.RootNode = top
	source, err := ownerSource()
	if err != nil {
		return err
	}
	sec := time.Second
	opts := &fs.Options{
		EntryTimeout: &sec,
		AttrTimeout:  &sec,
		MountOptions: fuse.MountOptions{
			FsName:      source,
			Name:        fsType,
			DirectMount: true,
			MaxWrite:    1 << 20,
		},
	}
	server, err := fs.Mount(f.cfg.Mountpoint, top, opts)
	if err != nil {
		return fmt.Errorf("faultfs: mount %s: %w", f.cfg.Mountpoint, errors.Join(ErrUnavailable, err))
	}
	f.mu.Lock()
	f.server, f.root = server, top
	f.mu.Unlock()
	return nil
}

// unmount stops the server and waits until it has answered its last
// request. A mountpoint still busy after the server's own retries (a
// process holds a file or its working directory in it) is an error,
// unless detach is set: then it is detached lazily, gone from the mount
// table at once, and the server ends when the last file in it is closed.
func (f *FS) unmount(detach bool) error {
	f.mu.Lock()
	server := f.server
	f.mu.Unlock()
	if server == nil {
		return nil
	}
	err := server.Unmount()
	if err != nil && !detach {
		return fmt.Errorf("faultfs: unmount %s (is the node still running?): %w", f.cfg.Mountpoint, err)
	}
	f.mu.Lock()
	f.server, f.root = nil, nil
	f.mu.Unlock()
	if err == nil {
		return nil
	}
	if err := unix.Unmount(f.cfg.Mountpoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("faultfs: unmount %s: %w", f.cfg.Mountpoint, err)
	}
	return nil
}

// Close unmounts the file system. What was written stays in the backing
// directory as after a clean shutdown (the un-synced data too), and the
// attic is emptied. Close is idempotent.
func (f *FS) Close() error {
	f.life.Lock()
	defer f.life.Unlock()
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.mu.Unlock()
	// Unmount first: a request in flight may be waiting on the gate, and
	// the server drains its requests before it is done.
	err := f.unmount(true)
	f.gate.Lock()
	defer f.gate.Unlock()
	f.track.reset()
	f.faults.clear()
	return errors.Join(err, f.emptyAttic())
}

// enter marks the start of a file system operation; the returned func
// marks its end.
func (f *FS) enter() func() {
	f.gate.RLock()
	return f.gate.RUnlock
}

// draw runs fn with the file system's random source.
func (f *FS) draw(fn func(r *rand.Rand)) {
	f.rngMu.Lock()
	defer f.rngMu.Unlock()
	fn(f.rng)
}
