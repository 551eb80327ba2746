package nodeproc

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePorts checks that the ports handed out are distinct across calls,
// lie below the kernel's ephemeral range where it is known, and skip a port
// somebody listens on.
func TestFreePorts(t *testing.T) {
	first, err := FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	// Occupy the port the cursor would hand out next.
	ports.mu.Lock()
	next, hi := ports.next, ports.hi
	ports.mu.Unlock()
	var held string
	if hi != 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(next)))
		if err == nil {
			defer ln.Close()
			held = ln.Addr().String()
		}
	}
	second, err := FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	lo := ephemeralLow()
	seen := map[string]bool{}
	for _, a := range append(first, second...) {
		if seen[a] {
			t.Fatalf("port handed out twice: %v then %v", first, second)
		}
		seen[a] = true
		if a == held {
			t.Errorf("FreePorts handed out %s, which is listened on", a)
		}
		_, p, err := net.SplitHostPort(a)
		if err != nil {
			t.Fatal(err)
		}
		port, _ := strconv.Atoi(p)
		if lo-lowestPort >= 1000 && (port < lowestPort || port >= lo) {
			t.Errorf("port %d outside [%d, %d): it may collide with outgoing connections", port, lowestPort, lo)
		}
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Errorf("address %s handed out but not bindable: %v", a, err)
			continue
		}
		ln.Close()
	}
}
