package etcd

import (
	"context"
	"io"

	"faultline/transport"
	"faultline/transport/proxy"
)

// meshPeers returns the Backend.PeerProxy hook that puts mesh between the
// members: a proxy for every directed link i -> j forwarding to j's listen
// address, and Fronts on the advertised addresses that hand each
// connection member i opens to j to the proxy of i -> j (see the package
// doc). Connections without a known sender go straight to the member.
// Closing the hook's Closer closes the Fronts and then the mesh.
func meshPeers(mesh *proxy.Mesh) func(context.Context, []PeerLink) (io.Closer, error) {
	return func(_ context.Context, links []PeerLink) (io.Closer, error) {
		listen := make(map[string]string, len(links))
		for _, l := range links {
			listen[l.Node] = l.Listen
		}
		for _, from := range links {
			for _, to := range links {
				if from.Node == to.Node {
					continue
				}
				if _, err := mesh.Add(from.Node, to.Node, to.Listen); err != nil {
					mesh.Close()
					return nil, err
				}
			}
		}
		fronts, err := ServeFronts(links, func(from, to string) string {
			if from == "" {
				return listen[to] // no sender: version checks, lease forwarding
			}
			return mesh.Addr(from, to)
		})
		if err != nil {
			mesh.Close()
			return nil, err
		}
		return proxy.Closers{fronts, mesh}, nil
	}
}

// Faults returns the link fault table of the members' peer traffic (the
// chaos controller's FaultSeam): the kernel's (kernelnet.Faults) with the
// option network: netns, the Mesh of per-link proxies with the option
// "peer-proxy", else nil, since members that talk directly on loopback
// cannot be faulted.
func (c *Cluster) Faults() transport.LinkFaulter {
	if c.kernel != nil {
		return c.kernel
	}
	if c.mesh == nil {
		return nil
	}
	return c.mesh
}
