package exec

import (
	"context"
	"fmt"

	"faultline/system/backend"
)

// protocol is the client side of a cluster: how the harness's clients
// speak to its nodes.
type protocol interface {
	// ready waits, once every node passed its own check, until the
	// cluster serves (a leader elected, a master known).
	ready(ctx context.Context) error
	client(ctx context.Context, id int) (backend.Client, error)
	settings() backend.ClientSettings
	bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error)
	close() error
}

// newProtocol returns the client side of c that its description names.
func newProtocol(c *Cluster, o options) (protocol, error) {
	switch c.d.Protocol.Name {
	case ProtoRESP:
		return newRESP(c, o), nil
	case ProtoEtcd:
		return newEtcd(c, o)
	}
	return nil, fmt.Errorf("exec: protocol %q: %w", c.d.Protocol.Name, backend.ErrUnsupported)
}

// serving lists the nodes that take clients' operations.
func (c *Cluster) serving() []*node {
	var out []*node
	for _, nd := range c.nodes {
		if c.d.Protocol.serves(nd.role.Name) {
			out = append(out, nd)
		}
	}
	return out
}
