package kernelnet

import (
	"errors"
	"fmt"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"faultline/transport"
)

// SupportsLink implements transport.FaultSupport: the kernel layer applies
// Blocked, independent Drop, Conn reset and Bandwidth. Delay, jitter,
// bursty loss, duplication and reordering need netem; the stall and
// slow-close connection faults have no kernel form here. The error names
// the user-space layers that apply what it refuses.
func (f *Faults) SupportsLink(lf transport.LinkFaults) error { return Supports(lf) }

// Supports is SupportsLink without a Net, for declarations made before
// any cluster starts.
func Supports(lf transport.LinkFaults) error {
	if err := lf.Validate(); err != nil {
		return err
	}
	var what string
	switch {
	case lf.Delay > 0 || lf.Jitter > 0:
		what = "delay and jitter"
	case lf.Burst > 1 && lf.Drop > 0:
		what = "bursty loss (a Gilbert-Elliott chain)"
	case lf.Duplicate > 0:
		what = "duplication"
	case lf.Reorder > 0:
		what = "reordering"
	case lf.Conn == transport.ConnStall || lf.Conn == transport.ConnSlowClose:
		return fmt.Errorf("connection fault %s in the kernel layer (network: netns applies blocks, loss, resets and bandwidth); %s: %w",
			lf.Conn, userSpace, transport.ErrFaultUnsupported)
	default:
		return nil
	}
	has, err := Netem()
	switch {
	case err != nil:
		return fmt.Errorf("%s need the netem qdisc, and probing for it failed (%w); %s: %w", what, err, userSpace, transport.ErrFaultUnsupported)
	case !has:
		return fmt.Errorf("%s need the netem qdisc, which this kernel lacks (CONFIG_NET_SCH_NETEM); %s: %w", what, userSpace, transport.ErrFaultUnsupported)
	}
	return fmt.Errorf("%s: this kernel has netem, but the kernel layer does not drive it yet; %s: %w", what, userSpace, transport.ErrFaultUnsupported)
}

// userSpace names the layers that apply what the kernel layer does not.
const userSpace = "use the user-space layers instead: drop the option network: netns (Faultline's transport applies every link fault), or for etcd peer-proxy: true (transport/proxy)"

var netemProbe struct {
	once sync.Once
	has  bool
	err  error
}

// Netem reports whether the kernel has the netem qdisc: it adds one to the
// loopback of a namespace made for the probe and thrown away after it,
// once per process. An unknown qdisc kind (ENOENT) means no netem; other
// failures are returned.
func Netem() (bool, error) {
	netemProbe.once.Do(func() { netemProbe.has, netemProbe.err = probeNetem() })
	return netemProbe.has, netemProbe.err
}

func probeNetem() (bool, error) {
	if err := CheckPrivileges(); err != nil {
		return false, err
	}
	var has bool
	err := onThread(func() error {
		probe, err := netns.New() // enters it; it goes when the thread leaves it
		if err != nil {
			return err
		}
		defer probe.Close()
		has, err = addNetem()
		return err
	})
	return has, err
}

// addNetem adds a netem qdisc to this thread's namespace's loopback.
func addNetem() (bool, error) {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return false, err
	}
	q := netlink.NewNetem(netlink.QdiscAttrs{LinkIndex: lo.Attrs().Index, Parent: netlink.HANDLE_ROOT, Handle: netlink.MakeHandle(1, 0)},
		netlink.NetemQdiscAttrs{Latency: 1000})
	switch err := netlink.QdiscAdd(q); {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EOPNOTSUPP):
		return false, nil
	default:
		return false, fmt.Errorf("add netem: %w", err)
	}
}
