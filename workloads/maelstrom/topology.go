package maelstrom

import (
	"fmt"
	"math"
)

// topologies maps each name Maelstrom's --topology accepts to its builder.
// "tree" is "tree2".
var topologies = map[string]func(nodes []string) map[string][]string{
	"grid":  gridTopology,
	"line":  lineTopology,
	"total": totalTopology,
	"tree":  func(n []string) map[string][]string { return treeTopology(2, n) },
	"tree2": func(n []string) map[string][]string { return treeTopology(2, n) },
	"tree3": func(n []string) map[string][]string { return treeTopology(3, n) },
	"tree4": func(n []string) map[string][]string { return treeTopology(4, n) },
}

// Topologies lists the topology names Topology accepts.
func Topologies() []string {
	return []string{"grid", "line", "total", "tree", "tree2", "tree3", "tree4"}
}

// Topology returns the neighbours of each node under the named topology,
// as broadcast's topology message carries them. Neighbourship is
// symmetric. "" is "grid", Maelstrom's default.
func Topology(name string, nodes []string) (map[string][]string, error) {
	if name == "" {
		name = "grid"
	}
	build, ok := topologies[name]
	if !ok {
		return nil, fmt.Errorf("unknown topology %q (known: %v)", name, Topologies())
	}
	return build(nodes), nil
}

// gridTopology places the nodes row by row on a square grid of side
// ceil(sqrt(n)); each node's neighbours are those above, below, left and
// right of it.
func gridTopology(nodes []string) map[string][]string {
	n := len(nodes)
	side := int(math.Ceil(math.Sqrt(float64(n))))
	at := func(i, j int) (string, bool) {
		if i < 0 || j < 0 || j >= side || i*side+j >= n {
			return "", false
		}
		return nodes[i*side+j], true
	}
	topo := make(map[string][]string, n)
	for idx, node := range nodes {
		i, j := idx/side, idx%side
		nb := []string{}
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			if m, ok := at(i+d[0], j+d[1]); ok {
				nb = append(nb, m)
			}
		}
		topo[node] = nb
	}
	return topo
}

// lineTopology links each node to the ones before and after it.
func lineTopology(nodes []string) map[string][]string {
	return linkIf(nodes, func(i, j int) bool { return i-j == 1 || j-i == 1 })
}

// totalTopology links every node to every other.
func totalTopology(nodes []string) map[string][]string {
	return linkIf(nodes, func(i, j int) bool { return i != j })
}

// linkIf gives node i the neighbours j, in order, for which linked(i, j).
func linkIf(nodes []string, linked func(i, j int) bool) map[string][]string {
	topo := make(map[string][]string, len(nodes))
	for i, node := range nodes {
		topo[node] = []string{}
		for j, m := range nodes {
			if linked(i, j) {
				topo[node] = append(topo[node], m)
			}
		}
	}
	return topo
}

// treeTopology arranges the nodes in a tree of branching factor b: the
// first node is the root and the rest are cut, in order, into at most b
// runs of equal size (the last may be shorter), each a subtree built the
// same way. Each node's neighbours are its parent and its children.
func treeTopology(b int, nodes []string) map[string][]string {
	topo := make(map[string][]string, len(nodes))
	for _, node := range nodes {
		topo[node] = []string{}
	}
	var build func(v []string)
	build = func(v []string) {
		if len(v) <= 1 {
			return
		}
		root, rest := v[0], v[1:]
		chunk := (len(rest) + b - 1) / b
		for lo := 0; lo < len(rest); lo += chunk {
			sub := rest[lo:min(lo+chunk, len(rest))]
			topo[root] = append(topo[root], sub[0])
			topo[sub[0]] = append(topo[sub[0]], root)
			build(sub)
		}
	}
	build(nodes)
	return topo
}
