package exec

import (
	"fmt"
	"io"
	"net"
	"strconv"

	"faultline/system/backend/etcd"
	"faultline/transport/proxy"
)

// plan is where every node of a cluster listens and how each reaches the
// others: the addresses its templates are given.
type plan struct {
	d            *Description
	client, peer []string   // every node's real addresses
	advertise    []string   // what the others dial to reach node j
	dial         [][]string // dial[i][j]: the address node i is told for node j
	// clientOf maps every address a node may be told for node j (its
	// proxies, its Front, its own) to j's real client address, so that
	// the harness's clients, which never go through proxies, can follow
	// what the servers say (a Sentinel naming the master).
	clientOf map[string]string
}

// newPlan lays out d's nodes on addrs: 2 per node (client, peer), plus
// one per node (its Front) with proxies etcd-fronts.
func newPlan(d *Description, addrs []string) *plan {
	n := d.Nodes()
	p := &plan{d: d, client: make([]string, n), peer: make([]string, n), advertise: make([]string, n),
		dial: make([][]string, n), clientOf: map[string]string{}}
	for i := range n {
		p.client[i], p.peer[i] = addrs[2*i], addrs[2*i+1]
		p.advertise[i] = p.target(i)
		switch d.Proxies {
		case ProxiesEtcd:
			p.advertise[i] = addrs[2*n+i]
		case ProxiesSource:
			p.client[i], p.peer[i] = onHost(hostOf(i), p.client[i]), onHost(hostOf(i), p.peer[i])
			p.advertise[i] = onHost(hostOf(i), addrs[2*n+i])
		}
		p.clientOf[p.client[i]] = p.client[i]
		p.clientOf[p.target(i)] = p.client[i]
		p.clientOf[p.advertise[i]] = p.client[i]
		p.dial[i] = make([]string, n)
	}
	for i := range n {
		for j := range n {
			p.dial[i][j] = p.advertise[j]
		}
	}
	return p
}

// addrsNeeded is how many addresses newPlan takes for d.
func addrsNeeded(d *Description) int {
	if d.Proxies == ProxiesPerLink {
		return 2 * d.Nodes()
	}
	return 3 * d.Nodes()
}

// target is node j's real address that peers dial (its role's peer-port).
func (p *plan) target(j int) string {
	if r, _ := p.d.roleOf(j); r.PeerPort == "client" {
		return p.client[j]
	}
	return p.peer[j]
}

// route puts mesh between the nodes: per-link proxies that the dial
// table then names (ProxiesPerLink), or the etcd backend's Fronts on the
// advertised addresses (ProxiesEtcd). The returned Closer closes what it
// started, the mesh included.
func (p *plan) route(mesh *proxy.Mesh) (io.Closer, error) {
	n := len(p.client)
	if p.d.Proxies == ProxiesEtcd {
		links := make([]etcd.PeerLink, n)
		for j := range n {
			links[j] = etcd.PeerLink{Node: nodeName(j), Listen: p.target(j), Advertise: p.advertise[j], ID: etcd.MemberID(p.advertise[j])}
		}
		return etcd.MeshFronts(mesh, links)
	}
	names, targets := make([]string, n), make([]string, n)
	for j := range n {
		names[j], targets[j] = nodeName(j), p.target(j)
	}
	dial, err := mesh.Full(names, targets)
	if err != nil {
		mesh.Close()
		return nil, fmt.Errorf("exec: %w", err)
	}
	if p.d.Proxies == ProxiesSource {
		fs, err := p.sourceFronts(mesh)
		if err != nil {
			mesh.Close()
			return nil, err
		}
		return proxy.Closers{fs, mesh}, nil
	}
	for i := range n {
		for j := range n {
			p.dial[i][j] = dial[i][j]
			p.clientOf[dial[i][j]] = p.client[j]
		}
	}
	return mesh, nil
}

// onHost is addr's port on host.
func onHost(host, addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return net.JoinHostPort(host, port)
}

// vars are node i's template variables.
func (p *plan) vars(i int, dir, dataDir string, seed int64) *Vars {
	r, k := p.d.roleOf(i)
	host, cport := splitAddr(p.client[i])
	_, pport := splitAddr(p.peer[i])
	_, aport := splitAddr(p.advertise[i])
	v := &Vars{Index: i, RoleIndex: k, ID: nodeName(i), Role: r.Name, Host: host, ClientPort: cport, PeerPort: pport,
		Advertise: p.advertise[i], AdvertisePort: aport, DataDir: dataDir, Dir: dir, Token: etcd.ClusterToken, Seed: seed}
	for j := range p.dial[i] {
		v.Nodes = append(v.Nodes, newPeer(p.d, j, p.dial[i][j]))
	}
	return v
}

func splitAddr(addr string) (string, int) {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return host, n
}

// fakeAddrs are addresses for checking templates before anything starts.
func fakeAddrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = net.JoinHostPort("127.0.0.1", strconv.Itoa(20000+i))
	}
	return out
}
