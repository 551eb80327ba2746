package etcd

import (
	"context"
	"io"

	"faultline/transport/proxy"
)

// ClusterToken is the initial cluster token of every cluster this package
// plans: member IDs derive from it (MemberID). etcd binaries that another
// backend starts use it too, so that MeshFronts can tell their senders.
const ClusterToken = clusterToken

// MemberID is the ID etcd gives a founding member advertising the peer URL
// http://advertise in a cluster with ClusterToken.
func MemberID(advertise string) uint64 { return memberID(advertise) }

// MeshFronts routes the peer traffic of members planned as links through
// mesh, exactly as the option peer-proxy does: a proxy for every directed
// link, and Fronts on the advertised addresses that hand each connection
// to the proxy of its link (see the package doc). The members must
// advertise http://ADVERTISE with ClusterToken and listen on Listen.
// Closing the returned Closer closes the Fronts and then the mesh.
func MeshFronts(mesh *proxy.Mesh, links []PeerLink) (io.Closer, error) {
	return meshPeers(mesh)(context.Background(), links)
}
