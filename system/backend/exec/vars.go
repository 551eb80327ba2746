package exec

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"text/template"
)

// Vars are the variables of a node's templates (command, environment,
// files, ready command).
type Vars struct {
	// Index is the node's position (0 for n0), RoleIndex its position
	// among its role's nodes, ID its name ("n0") and Role its role's.
	Index, RoleIndex int
	ID, Role         string
	// Host is the address the node listens on; ClientPort and PeerPort
	// are its two ports (peers dial the one its role's peer-port names).
	Host                 string
	ClientPort, PeerPort int
	// Advertise is the host:port the other nodes dial to reach this one
	// (its Front with proxies etcd-fronts or source-fronts, else its own
	// peer address), AdvertisePort its port.
	Advertise     string
	AdvertisePort int
	// DataDir is the node's directory, kept across restarts; Dir the
	// cluster's.
	DataDir, Dir string
	// Token is the cluster token etcd members must use with proxies
	// etcd-fronts (their member IDs derive from it).
	Token string
	// Seed is the run's seed.
	Seed int64
	// Nodes is every node as this node must dial it: through its proxy
	// of the link to it (per-link), or its Front (etcd-fronts); a node's
	// own entry is its own address (its Front with etcd-fronts).
	Nodes []Peer
}

// Peer is one node as another node's templates see it.
type Peer struct {
	Index, RoleIndex int
	ID, Role         string
	// Host and Port are the address to dial, Addr the two joined.
	Host string
	Port int
	Addr string
}

// funcs are the template functions of node vars: role NAME lists the
// nodes of role NAME, as Nodes has them.
func (v *Vars) funcs() template.FuncMap {
	return template.FuncMap{
		"role": func(name string) []Peer {
			var out []Peer
			for _, p := range v.Nodes {
				if p.Role == name {
					out = append(out, p)
				}
			}
			return out
		},
	}
}

// render executes the template text with v; name says where the text is
// from in errors.
func (v *Vars) render(name, text string) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(v.funcs()).Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// renderAll renders every template of a list.
func (v *Vars) renderAll(name string, texts []string) ([]string, error) {
	out := make([]string, len(texts))
	for i, t := range texts {
		s, err := v.render(fmt.Sprintf("%s[%d]", name, i), t)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// newPeer describes node i of d, reachable at addr.
func newPeer(d *Description, i int, addr string) Peer {
	r, k := d.roleOf(i)
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return Peer{Index: i, RoleIndex: k, ID: nodeName(i), Role: r.Name, Host: host, Port: n, Addr: addr}
}

// nodeName is node i's name.
func nodeName(i int) string { return "n" + strconv.Itoa(i) }
