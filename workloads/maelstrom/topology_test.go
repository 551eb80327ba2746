package maelstrom

import (
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// nodeIDs returns n0..n(n-1).
func nodeIDs(n int) (ids []string) {
	for i := range n {
		ids = append(ids, "n"+strconv.Itoa(i))
	}
	return ids
}

func TestTopologyShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want map[string][]string
	}{
		{"grid", 5, map[string][]string{
			"n0": {"n3", "n1"}, "n1": {"n4", "n2", "n0"}, "n2": {"n1"}, "n3": {"n0", "n4"}, "n4": {"n1", "n3"}}},
		{"line", 3, map[string][]string{"n0": {"n1"}, "n1": {"n0", "n2"}, "n2": {"n1"}}},
		{"total", 3, map[string][]string{"n0": {"n1", "n2"}, "n1": {"n0", "n2"}, "n2": {"n0", "n1"}}},
		{"tree2", 7, map[string][]string{
			"n0": {"n1", "n4"}, "n1": {"n0", "n2", "n3"}, "n2": {"n1"}, "n3": {"n1"},
			"n4": {"n0", "n5", "n6"}, "n5": {"n4"}, "n6": {"n4"}}},
		{"tree3", 5, map[string][]string{
			"n0": {"n1", "n3"}, "n1": {"n0", "n2"}, "n2": {"n1"}, "n3": {"n0", "n4"}, "n4": {"n3"}}},
		{"", 1, map[string][]string{"n0": {}}},
	} {
		got, err := Topology(tc.name, nodeIDs(tc.n))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q on %d nodes: %v, want %v", tc.name, tc.n, got, tc.want)
		}
	}
}

// TestTopologyProperties checks every topology on 1..30 nodes: each node
// is listed, neighbourship is symmetric, no node neighbours itself or
// twice, the graph is connected, and grid and tree degrees are bounded.
func TestTopologyProperties(t *testing.T) {
	maxDeg := map[string]int{"grid": 4, "line": 2, "tree": 3, "tree2": 3, "tree3": 4, "tree4": 5}
	for _, name := range Topologies() {
		for n := 1; n <= 30; n++ {
			topo, err := Topology(name, nodeIDs(n))
			if err != nil {
				t.Fatal(err)
			}
			if len(topo) != n {
				t.Fatalf("%s/%d: %d nodes listed", name, n, len(topo))
			}
			for a, nb := range topo {
				seen := map[string]bool{}
				for _, b := range nb {
					if b == a || seen[b] {
						t.Fatalf("%s/%d: %s lists %s badly: %v", name, n, a, b, nb)
					}
					seen[b] = true
					if !slices.Contains(topo[b], a) {
						t.Fatalf("%s/%d: %s lists %s, not back", name, n, a, b)
					}
				}
				if d, ok := maxDeg[name]; ok && len(nb) > d {
					t.Fatalf("%s/%d: %s has %d neighbours", name, n, a, len(nb))
				}
			}
			reach := map[string]bool{"n0": true}
			for stack := []string{"n0"}; len(stack) > 0; {
				a := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, b := range topo[a] {
					if !reach[b] {
						reach[b] = true
						stack = append(stack, b)
					}
				}
			}
			if len(reach) != n {
				t.Fatalf("%s/%d: only %d nodes reachable", name, n, len(reach))
			}
		}
	}
	if _, err := Topology("star", nodeIDs(3)); err == nil {
		t.Fatal("unknown topology accepted")
	}
}
