package kernelnet

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestNetHostsReachEachOther: every host reaches every other host and the
// harness reaches every host, over the bridge; every object is named
// under the Net's id and is gone after Close.
func TestNetHostsReachEachOther(t *testing.T) {
	n := newNet(t, "n0", "n1", "n2")
	if !strings.HasPrefix(n.ID, Prefix) {
		t.Fatalf("id %q not under %q", n.ID, Prefix)
	}
	left, err := Leftovers(n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 3 + 3; len(left) != want { // bridge, veths, namespaces
		t.Errorf("objects of %s: %v, want %d", n.ID, left, want)
	}
	for _, h := range n.Hosts {
		addr, _ := listenTCP(t, h, 7000)
		c, err := net.DialTimeout("tcp", addr, 2*time.Second) // from the harness
		if err != nil {
			t.Fatalf("harness -> %s: %v", h.Name, err)
		}
		c.Close()
		for _, o := range n.Hosts {
			if o.Name == h.Name {
				continue
			}
			c, err := dialFrom(o, addr, 2*time.Second)
			if err != nil {
				t.Fatalf("%s -> %s: %v", o.Name, h.Name, err)
			}
			if got := c.LocalAddr().(*net.TCPAddr).IP; !got.Equal(o.IP) {
				t.Errorf("%s -> %s came from %v, want %v", o.Name, h.Name, got, o.IP)
			}
			c.Close()
		}
	}
}
