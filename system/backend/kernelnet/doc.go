// Package kernelnet makes a cluster's nodes hosts of a real kernel network
// on this machine, and applies link faults in the kernel between them.
//
// # Hosts
//
// New makes a Net: a bridge in the harness's (root) network namespace and,
// per node, a network namespace of its own pinned under /run/netns, joined
// to the bridge by a veth pair, with an IPv4 address of its own in a /24
// of 198.18.0.0/15 (the range set aside for network benchmarks; traffic on
// it never leaves the machine: nothing routes it beyond the bridge). The
// harness reaches every node through the bridge's address. Enter runs a
// function on a thread inside a namespace (sockets it opens stay there);
// nodeproc uses it to fork node processes into their hosts.
//
// Every object a Net makes is named after its id, the prefix Prefix and
// three hex digits (the /24's index): bridge ID+"br", namespaces ID+"n"+i,
// veths ID+"h"+i (bridge side) and ID+"p"+i (namespace side), the nftables
// table ID. A Net holds an flock on its lease file (LeaseDir/ID.lock) for
// as long as it lives, so the lease is released by the kernel even when
// the harness crashes; Sweep removes every object under Prefix whose lease
// nobody holds (what a crashed run left), and New sweeps its own id before
// it builds. Close removes everything the Net made.
//
// # Faults
//
// Faults is a transport.LinkFaulter over a Net's hosts. Per directed link
// a -> b: Blocked, Drop (random loss, nftables numgen) and Conn reset
// (reject with a TCP reset) are nftables rules in the Net's own netdev
// table, in a chain on the ingress of a's bridge-side veth (what a sends)
// that match packets to b's address, each with a counter (Counters);
// Bandwidth is a tc tbf qdisc (netlink) under an htb class on b's
// bridge-side veth that a u32 filter sends a's packets to. The harness's
// own traffic to and from the nodes (clients, fault control) is never
// touched: faults are between nodes. Delay, jitter, bursty loss,
// duplication, reordering and the stall and slow-close connection faults
// need netem (or a user-space table); SupportsLink refuses them, saying
// whether the kernel has netem (Netem probes it) and naming the user-space
// layers that apply them.
//
// Everything here needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN):
// CheckPrivileges says so in one clear error before anything is made.
//
// It imports transport (the link fault description), the standard library,
// github.com/google/nftables and github.com/vishvananda/netlink (and its
// netns); never a concrete system.
package kernelnet
