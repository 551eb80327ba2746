package simnet

import (
	"fmt"
	"sync/atomic"
	"testing"

	"faultline/transport"
	"faultline/transport/transporttest"
)

// harness runs the conformance suite on a simulated network. Node names are
// server names, and each Dial makes a fresh end owned by the calling node.
type harness struct {
	net  *Network
	ends atomic.Int64
}

var _ transporttest.Harness = (*harness)(nil)

func (h *harness) Serve(t testing.TB, name string, srv *transport.Server) string {
	h.net.AddServer(name, srv)
	return "simnet:" + name
}

func (h *harness) Stop(t testing.TB, name string) { h.net.DeleteServer(name) }

func (h *harness) Dial(t testing.TB, from, to string) transport.ContextCaller {
	return h.net.Dial(fmt.Sprintf("%s->%s#%d", from, to, h.ends.Add(1)), from, to)
}

func (h *harness) Faults() transport.LinkFaulter { return h.net }

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Harness {
		return &harness{net: newNet(t)}
	})
}
