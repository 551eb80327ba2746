package proxy

import "fmt"

// Full puts a proxy on every directed link between the named nodes, whose
// real addresses are addrs (index for index), and returns for each node the
// address list it should dial its peers by: entry j of dial[i] is the proxy
// of link i -> j, and entry i is node i's own address. A backend whose
// nodes take their peers' addresses as a list can be wired through the
// mesh with it. On error the proxies added so far stay in the mesh; Close
// removes them.
func (m *Mesh) Full(names, addrs []string) (dial [][]string, err error) {
	if len(names) != len(addrs) {
		return nil, fmt.Errorf("proxy: %d names for %d addresses", len(names), len(addrs))
	}
	dial = make([][]string, len(names))
	for i := range names {
		dial[i] = make([]string, len(names))
		for j := range names {
			if i == j {
				dial[i][j] = addrs[i]
				continue
			}
			if dial[i][j], err = m.Add(names[i], names[j], addrs[j]); err != nil {
				return nil, err
			}
		}
	}
	return dial, nil
}
