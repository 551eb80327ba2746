package kernelnet

import (
	"errors"

	"github.com/vishvananda/netlink"
)

// dumpTries bounds the retries of a netlink dump that another process's
// changes interrupted.
const dumpTries = 100

// consistent calls dump until the kernel reports a dump that no change
// interrupted (netlink.ErrDumpInterrupted: other runs make and remove
// links at the same time), at most dumpTries times.
func consistent[T any](dump func() ([]T, error)) ([]T, error) {
	for range dumpTries - 1 {
		out, err := dump()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return out, err
		}
	}
	return dump()
}

// linkList lists this namespace's links, consistently.
func linkList() ([]netlink.Link, error) { return consistent(netlink.LinkList) }
