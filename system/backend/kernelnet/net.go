package kernelnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// NetnsDir is where named network namespaces are pinned (as `ip netns`
// does).
const NetnsDir = "/run/netns"

// Host is one node's host: its network namespace and address.
type Host struct {
	// Name is the node's name in the cluster.
	Name string
	// Netns is the path the namespace is pinned at (for Enter).
	Netns string
	// IP is the host's address on the bridge.
	IP net.IP
	// Veth is the bridge-side end of its veth pair (in the harness's
	// namespace); Peer the end inside the namespace.
	Veth, Peer string
}

// Net is a bridge with one host per node; see the package doc. Close
// removes it.
type Net struct {
	// ID names every object of the Net (Prefix and three hex digits).
	ID string
	// Bridge is the bridge's name, BridgeIP the harness's address on it.
	Bridge   string
	BridgeIP net.IP
	// Hosts are the nodes' hosts, in the order of the names given to New.
	Hosts []Host

	lease     *lease
	closeOnce sync.Once
	closeErr  error
}

// New makes a Net with one host per name, after sweeping away what dead
// runs left (Sweep). It needs root (see CheckPrivileges). On an error it
// removes whatever it made.
func New(names []string) (*Net, error) {
	if _, err := Sweep(); err != nil {
		return nil, err
	}
	if len(names) == 0 || len(names) > 200 {
		return nil, fmt.Errorf("kernelnet: %d hosts, want 1 to 200", len(names))
	}
	n, k, err := claim()
	if err != nil {
		return nil, err
	}
	if err := n.build(k, names); err != nil {
		return nil, errors.Join(err, n.Close())
	}
	return n, nil
}

// claim takes the lease of a free id whose /24 no route of this namespace
// covers, and removes what a dead run left under it.
func claim() (*Net, int, error) {
	start := rand.IntN(subnets)
	for t := range subnets {
		k := (start + t) % subnets
		l, ok, err := tryLease(idOf(k))
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			continue
		}
		if err := removeID(l.id); err != nil {
			l.release()
			return nil, 0, fmt.Errorf("kernelnet: leftovers of %s: %w", l.id, err)
		}
		if routed(subnetOf(k)) {
			l.release()
			continue
		}
		return &Net{ID: l.id, lease: l}, k, nil
	}
	return nil, 0, fmt.Errorf("kernelnet: all %d subnets of 198.18.0.0/15 are in use", subnets)
}

// routed reports whether a route of this namespace leads to ip.
func routed(ip net.IP) bool {
	rs, err := consistent(func() ([]netlink.Route, error) { return netlink.RouteList(nil, netlink.FAMILY_V4) })
	if err != nil {
		return true
	}
	for _, r := range rs {
		if r.Dst != nil && r.Dst.Contains(ip) && !r.Dst.IP.Equal(net.IPv4zero) {
			return true
		}
	}
	return false
}

// build makes the bridge and the hosts of subnet k.
func (n *Net) build(k int, names []string) error {
	base := subnetOf(k)
	mask := net.CIDRMask(24, 32)
	n.Bridge, n.BridgeIP = n.ID+"br", addrIn(base, 1)
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge}}
	if err := netlink.LinkAdd(br); err != nil {
		return fmt.Errorf("kernelnet: bridge %s: %w", n.Bridge, err)
	}
	if err := netlink.AddrAdd(br, &netlink.Addr{IPNet: &net.IPNet{IP: n.BridgeIP, Mask: mask}}); err != nil {
		return fmt.Errorf("kernelnet: bridge %s address: %w", n.Bridge, err)
	}
	if err := netlink.LinkSetUp(br); err != nil {
		return fmt.Errorf("kernelnet: bridge %s up: %w", n.Bridge, err)
	}
	for i, name := range names {
		s := strconv.Itoa(i)
		h := Host{Name: name, Netns: filepath.Join(NetnsDir, n.ID+"n"+s), IP: addrIn(base, 2+i),
			Veth: n.ID + "h" + s, Peer: n.ID + "p" + s}
		if err := addHost(br, h, mask); err != nil {
			return fmt.Errorf("kernelnet: host %s: %w", name, err)
		}
		n.Hosts = append(n.Hosts, h)
	}
	return n.waitUp()
}

// upWait bounds how long New waits for its links to come up.
const upWait = 10 * time.Second

// waitUp waits until the bridge and every veth end are operationally up:
// until the kernel's link watch has activated a device, its queue drops
// every packet.
func (n *Net) waitUp() error {
	deadline := time.Now().Add(upWait)
	up := func(h *netlink.Handle, name string) bool {
		l, err := h.LinkByName(name)
		return err == nil && l.Attrs().OperState == netlink.OperUp
	}
	root, err := netlink.NewHandle()
	if err != nil {
		return fmt.Errorf("kernelnet: netlink: %w", err)
	}
	defer root.Close()
	check := []func() (string, bool){func() (string, bool) { return n.Bridge, up(root, n.Bridge) }}
	for _, h := range n.Hosts {
		ns, err := netns.GetFromPath(h.Netns)
		if err != nil {
			return fmt.Errorf("kernelnet: namespace %s: %w", h.Netns, err)
		}
		nh, err := netlink.NewHandleAt(ns)
		ns.Close()
		if err != nil {
			return fmt.Errorf("kernelnet: netlink in %s: %w", h.Netns, err)
		}
		defer nh.Close()
		check = append(check,
			func() (string, bool) { return h.Veth, up(root, h.Veth) },
			func() (string, bool) { return h.Peer, up(nh, h.Peer) })
	}
	for _, c := range check {
		for {
			name, ok := c()
			if ok {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("kernelnet: link %s not up after %v", name, upWait)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	return nil
}

// addrIn returns base with its last byte set to last.
func addrIn(base net.IP, last int) net.IP {
	ip := append(net.IP(nil), base.To4()...)
	ip[3] = byte(last)
	return ip
}

// addHost pins h's namespace and joins it to br with a veth pair.
func addHost(br *netlink.Bridge, h Host, mask net.IPMask) error {
	ns, err := pin(filepath.Base(h.Netns))
	if err != nil {
		return err
	}
	defer ns.Close()
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: h.Veth}, PeerName: h.Peer, PeerNamespace: netlink.NsFd(int(ns))}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("veth %s: %w", h.Veth, err)
	}
	if err := netlink.LinkSetMaster(veth, br); err != nil {
		return fmt.Errorf("veth %s to bridge: %w", h.Veth, err)
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		return fmt.Errorf("veth %s up: %w", h.Veth, err)
	}
	nh, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("netlink in %s: %w", h.Netns, err)
	}
	defer nh.Close()
	peer, err := nh.LinkByName(h.Peer)
	if err != nil {
		return fmt.Errorf("veth %s: %w", h.Peer, err)
	}
	if err := nh.AddrAdd(peer, &netlink.Addr{IPNet: &net.IPNet{IP: h.IP, Mask: mask}}); err != nil {
		return fmt.Errorf("address %s: %w", h.IP, err)
	}
	lo, err := nh.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	for _, l := range []netlink.Link{peer, lo} {
		if err := nh.LinkSetUp(l); err != nil {
			return fmt.Errorf("%s up: %w", l.Attrs().Name, err)
		}
	}
	return nil
}

// pin makes a network namespace pinned at NetnsDir/name and returns a
// handle to it, leaving the calling thread in its own namespace.
func pin(name string) (netns.NsHandle, error) {
	ns := netns.None()
	err := onThread(func() (err error) {
		ns, err = netns.NewNamed(name) // enters it
		return err
	})
	if err != nil {
		if ns.IsOpen() {
			ns.Close()
		}
		return ns, fmt.Errorf("namespace %s: %w", name, err)
	}
	return ns, nil
}

// Host returns the host of the node called name.
func (n *Net) Host(name string) (Host, bool) {
	for _, h := range n.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return Host{}, false
}

// Addrs returns every host's address with port, in host order.
func (n *Net) Addrs(port int) []string {
	out := make([]string, len(n.Hosts))
	for i, h := range n.Hosts {
		out[i] = net.JoinHostPort(h.IP.String(), strconv.Itoa(port))
	}
	return out
}

// Close removes everything the Net made (its nftables table, veths,
// namespaces and bridge) and gives up its lease. Stop the processes in its
// namespaces first. It is safe to call more than once.
func (n *Net) Close() error {
	n.closeOnce.Do(func() {
		n.closeErr = removeID(n.ID)
		if err := n.lease.release(); err != nil {
			n.closeErr = errors.Join(n.closeErr, err)
		}
	})
	return n.closeErr
}
