package kernelnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// Prefix starts the name of every object a Net makes.
const Prefix = "flt-"

// LeaseDir holds one lease file per Net id; a live Net holds an flock on
// its file.
const LeaseDir = "/run/faultline/netns"

// subnets is how many /24s of 198.18.0.0/15 there are: the ids.
const subnets = 512

// idOf returns the id of subnet k: Prefix and three hex digits.
func idOf(k int) string { return fmt.Sprintf("%s%03x", Prefix, k) }

// idLen is the length of every id.
var idLen = len(idOf(0))

// subnetOf returns the base address of subnet k (198.18.0.0 + k*256).
func subnetOf(k int) net.IP {
	return net.IPv4(198, byte(18+k/256), byte(k%256), 0).To4()
}

// lease is a held flock on an id's lease file.
type lease struct {
	id string
	f  *os.File
}

// tryLease takes the lease of id without waiting; ok is false when a live
// process holds it.
func tryLease(id string) (l *lease, ok bool, err error) {
	if err := os.MkdirAll(LeaseDir, 0o755); err != nil {
		return nil, false, fmt.Errorf("kernelnet: lease dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(LeaseDir, id+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("kernelnet: lease %s: %w", id, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("kernelnet: lease %s: %w", id, err)
	}
	return &lease{id: id, f: f}, true, nil
}

// release gives the lease up (the file stays, for the next holder).
func (l *lease) release() error { return l.f.Close() }
