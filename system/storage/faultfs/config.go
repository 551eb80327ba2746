package faultfs

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Config says where a file system is mounted and what it passes through to.
type Config struct {
	// Mountpoint is the directory the node uses as its data directory;
	// it is created if missing and the file system is mounted over it.
	Mountpoint string
	// Backing is the real directory underneath, created if missing. It
	// and the attic beside it (Backing + AtticSuffix) must be on one
	// file system, and the tree under Backing must not cross into
	// another.
	Backing string
	// Seed seeds every random choice the file system makes (which prefix
	// power loss keeps, where a write tears, which bits Corrupt flips,
	// slow-disk latencies), so a seed replays them.
	Seed uint64
}

// AtticSuffix names the directory beside Backing where removed entries
// wait until their removal is durable.
const AtticSuffix = ".faultfs-attic"

// validate checks the config and returns it with absolute, clean paths.
func (c Config) validate() (Config, error) {
	if c.Mountpoint == "" {
		return c, fmt.Errorf("faultfs: Mountpoint is empty")
	}
	if c.Backing == "" {
		return c, fmt.Errorf("faultfs: Backing is empty")
	}
	var err error
	if c.Mountpoint, err = filepath.Abs(c.Mountpoint); err != nil {
		return c, fmt.Errorf("faultfs: Mountpoint %q: %w", c.Mountpoint, err)
	}
	if c.Backing, err = filepath.Abs(c.Backing); err != nil {
		return c, fmt.Errorf("faultfs: Backing %q: %w", c.Backing, err)
	}
	if c.Mountpoint == c.Backing {
		return c, fmt.Errorf("faultfs: Mountpoint and Backing are both %q", c.Backing)
	}
	if within(c.Backing, c.Mountpoint) || within(c.Mountpoint, c.Backing) {
		return c, fmt.Errorf("faultfs: Mountpoint %q and Backing %q are nested", c.Mountpoint, c.Backing)
	}
	return c, nil
}

// within reports whether path lies inside dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
