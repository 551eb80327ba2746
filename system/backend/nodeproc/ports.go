package nodeproc

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// lowestPort is the bottom of the range FreePorts hands out from: above the
// ports services usually claim.
const lowestPort = 10000

// ports is the process's cursor through the ports below the kernel's
// ephemeral range.
var ports struct {
	mu       sync.Mutex
	lo, hi   int // [lo, hi): the range; hi == 0 means use port 0
	next     int
	resolved bool
}

// FreePorts returns n loopback addresses that were free a moment ago, for
// nodes that must be told their address before they listen.
//
// The ports come from below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), walked in order from a random start, so
// they collide neither with the local ends of outgoing connections nor with
// anyone's port-0 listeners: handing out a released port-0 port, as this
// once did, lost about one cluster start in twenty to "address already in
// use" when the machine ran many tests. Each is probed by binding it. Only
// another process walking the same range could still take one between the
// probe and the node's own bind; the node then fails to listen and the start
// fails rather than misbehaves.
func FreePorts(n int) ([]string, error) {
	ports.mu.Lock()
	defer ports.mu.Unlock()
	if !ports.resolved {
		ports.lo, ports.hi = lowestPort, ephemeralLow()
		if ports.hi-ports.lo < 1000 {
			ports.hi = 0
		} else {
			ports.next = ports.lo + rand.IntN(ports.hi-ports.lo)
		}
		ports.resolved = true
	}
	if ports.hi == 0 {
		return anyPorts(n)
	}
	addrs := make([]string, 0, n)
	for tried := 0; len(addrs) < n; tried++ {
		if tried == ports.hi-ports.lo {
			return nil, fmt.Errorf("reserve loopback port: no free port in [%d, %d)", ports.lo, ports.hi)
		}
		port := ports.next
		ports.next++
		if ports.next == ports.hi {
			ports.next = ports.lo
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue // taken
		}
		ln.Close()
		addrs = append(addrs, addr)
	}
	return addrs, nil
}

// ephemeralLow is the bottom of the kernel's ephemeral port range, or 0
// when it cannot be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0
	}
	lo, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return lo
}

// anyPorts reserves n loopback addresses by binding port 0 and releasing
// them: the fallback where the ephemeral range is unknown.
func anyPorts(n int) ([]string, error) {
	addrs := make([]string, n)
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for i := range addrs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserve loopback port: %w", err)
		}
		lns = append(lns, ln)
		addrs[i] = ln.Addr().String()
	}
	return addrs, nil
}
