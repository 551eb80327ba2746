package kernelnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// passRate is the rate (bits/s) of the htb class above each tbf: high
// enough never to be what limits a link.
const passRate = 40_000_000_000

// shape rebuilds the shaping on to's veth (its egress: what reaches to):
// nothing when no link into to has a bandwidth limit; otherwise an htb
// root whose unclassified traffic passes unshaped, and per limited link
// from x a class with a tbf of the link's rate, which a u32 filter on x's
// source address feeds. f.mu is held.
func (f *Faults) shape(to string) error {
	h, _ := f.net.Host(to)
	link, err := netlink.LinkByName(h.Veth)
	if err != nil {
		return fmt.Errorf("kernelnet: veth %s: %w", h.Veth, err)
	}
	idx := link.Attrs().Index
	root := netlink.MakeHandle(1, 0)
	err = netlink.QdiscDel(netlink.NewHtb(netlink.QdiscAttrs{LinkIndex: idx, Parent: netlink.HANDLE_ROOT, Handle: root}))
	if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("kernelnet: clear shaping of %s: %w", h.Veth, err)
	}
	var limited []int
	for i, x := range f.net.Hosts {
		if f.links[[2]string{x.Name, to}].Bandwidth > 0 {
			limited = append(limited, i)
		}
	}
	if len(limited) == 0 {
		return nil
	}
	if err := netlink.QdiscAdd(netlink.NewHtb(netlink.QdiscAttrs{LinkIndex: idx, Parent: netlink.HANDLE_ROOT, Handle: root})); err != nil {
		return fmt.Errorf("kernelnet: htb on %s: %w", h.Veth, err)
	}
	for _, i := range slices.Backward(limited) {
		x := f.net.Hosts[i]
		if err := limit(idx, uint16(i+2), x.IP.To4(), f.links[[2]string{x.Name, to}].Bandwidth); err != nil {
			return fmt.Errorf("kernelnet: bandwidth %s->%s: %w", x.Name, to, err)
		}
	}
	return nil
}

// queueSeconds is how much of its rate a tbf queues before it drops: like
// the transport's bandwidth limit, which queues every message, a limited
// link delays rather than loses (a short queue's drops would cost TCP
// retransmission timeouts, far below the rate).
const queueSeconds = 4

// queueLimit is the queue of a tbf of rate bytes/s and burst bytes.
func queueLimit(rate int64, burst uint32) uint32 {
	return uint32(min(max(rate*queueSeconds, int64(4*burst)), 1<<31))
}

// limit adds, under the htb root 1: of link idx, class 1:minor with a tbf
// of rate bytes/s, and a filter sending packets from src to it.
func limit(idx int, minor uint16, src []byte, rate int64) error {
	class := netlink.MakeHandle(1, minor)
	err := netlink.ClassAdd(netlink.NewHtbClass(netlink.ClassAttrs{LinkIndex: idx, Parent: netlink.MakeHandle(1, 0), Handle: class},
		netlink.HtbClassAttrs{Rate: passRate, Ceil: passRate}))
	if err != nil {
		return fmt.Errorf("htb class: %w", err)
	}
	r := uint64(rate)
	burst := max(uint32(rate/100), 16<<10) // 10ms of the rate, at least 16 KiB
	tbf := &netlink.Tbf{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: idx, Parent: class, Handle: netlink.MakeHandle(0x100+minor, 0)},
		Rate: r, Buffer: netlink.Xmittime(r, burst), Limit: queueLimit(rate, burst)}
	if err := netlink.QdiscAdd(tbf); err != nil {
		return fmt.Errorf("tbf: %w", err)
	}
	filter := &netlink.U32{
		FilterAttrs: netlink.FilterAttrs{LinkIndex: idx, Parent: netlink.MakeHandle(1, 0), Priority: 1, Protocol: unix.ETH_P_IP},
		ClassId:     class,
		Sel: &netlink.TcU32Sel{Flags: nl.TC_U32_TERMINAL,
			Keys: []netlink.TcU32Key{{Mask: 0xffffffff, Val: binary.BigEndian.Uint32(src), Off: 12}}},
	}
	if err := netlink.FilterAdd(filter); err != nil {
		return fmt.Errorf("u32 filter: %w", err)
	}
	return nil
}
