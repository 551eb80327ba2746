package chaos

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%d", i)
	}
	return out
}

// hears reports which nodes each node receives from under c (itself included).
func hears(c cut, nodes []string) map[string][]string {
	out := map[string][]string{}
	for _, to := range nodes {
		for _, from := range nodes {
			if !c[[2]string{from, to}] {
				out[to] = append(out[to], from)
			}
		}
	}
	return out
}

func TestShapes(t *testing.T) {
	for _, n := range []int{3, 4, 5, 7} {
		nodes := names(n)
		maj := n/2 + 1
		for seed := range int64(20) {
			rng := rand.New(rand.NewPCG(uint64(seed), 1))
			name := func(s Shape) string { return fmt.Sprintf("%s n=%d seed=%d", s, n, seed) }

			c, _ := partition(ShapeHalves, nodes, "", false, rng)
			h := hears(c, nodes)
			big := 0
			for _, x := range nodes {
				if len(h[x]) >= maj {
					big++
				}
				if len(h[x]) != n/2 && len(h[x]) != n-n/2 {
					t.Errorf("%s: %s hears %v", name(ShapeHalves), x, h[x])
				}
			}
			if big != n-n/2 && n%2 == 1 {
				t.Errorf("%s: %d nodes in a majority, want %d", name(ShapeHalves), big, n-n/2)
			}

			c, _ = partition(ShapeMajority, nodes, "", false, rng)
			h = hears(c, nodes)
			if len(h["n0"]) < maj || len(h[nodes[n-1]]) >= maj {
				t.Errorf("%s: first hears %v, last hears %v", name(ShapeMajority), h["n0"], h[nodes[n-1]])
			}

			c, _ = partition(ShapeIsolate, nodes, "n1", false, rng)
			h = hears(c, nodes)
			if !slices.Equal(h["n1"], []string{"n1"}) || len(h["n0"]) != n-1 {
				t.Errorf("%s: n1 hears %v, n0 hears %v", name(ShapeIsolate), h["n1"], h["n0"])
			}

			c, _ = partition(ShapeOneWay, nodes, "n1", false, rng)
			if len(c) != n-1 || !c[[2]string{"n1", "n0"}] || c[[2]string{"n0", "n1"}] {
				t.Errorf("%s out: cut %v", name(ShapeOneWay), c)
			}
			c, _ = partition(ShapeOneWay, nodes, "n1", true, rng)
			if len(c) != n-1 || c[[2]string{"n1", "n0"}] || !c[[2]string{"n0", "n1"}] {
				t.Errorf("%s in: cut %v", name(ShapeOneWay), c)
			}

			// Bridge: exactly one node hears everyone; the others are
			// split in two sides that do not hear each other.
			c, _ = partition(ShapeBridge, nodes, "", false, rng)
			h = hears(c, nodes)
			bridges := 0
			for _, x := range nodes {
				if len(h[x]) == n {
					bridges++
				}
			}
			if bridges != 1 || len(c) == 0 {
				t.Errorf("%s: %d bridge nodes, cut %v", name(ShapeBridge), bridges, c)
			}

			// Ring: everyone hears a majority, and no two hear the same
			// set of nodes.
			c, _ = partition(ShapeRing, nodes, "", false, rng)
			h = hears(c, nodes)
			seen := map[string]bool{}
			for _, x := range nodes {
				if len(h[x]) != maj || !slices.Contains(h[x], x) {
					t.Errorf("%s: %s hears %v, want a majority of %d with itself", name(ShapeRing), x, h[x], maj)
				}
				k := fmt.Sprint(h[x])
				if seen[k] {
					t.Errorf("%s: two nodes hear the same majority %s", name(ShapeRing), k)
				}
				seen[k] = true
			}
		}
	}
}

func TestPick(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	all := names(5)
	for _, tc := range []struct {
		t    Target
		cand []string
		want int
	}{
		{TargetRandom, all, 1}, {TargetMinority, all, 2}, {TargetMajority, all, 3}, {TargetAll, all, 5},
		{TargetMajority, all[:2], 2}, {TargetRandom, nil, 0},
	} {
		if got := pick(tc.t, nil, tc.cand, "", 5, rng); len(got) != tc.want {
			t.Errorf("%s of %v: %v, want %d nodes", tc.t, tc.cand, got, tc.want)
		}
	}
	if got := pick(TargetLeader, nil, all, "n3", 5, rng); !slices.Equal(got, []string{"n3"}) {
		t.Errorf("leader: %v", got)
	}
	if got := pick(TargetLeader, nil, all[:2], "n3", 5, rng); got != nil {
		t.Errorf("leader that is down: %v", got)
	}
	if got := pick(TargetNodes, []string{"n1", "n9"}, all, "", 5, rng); !slices.Equal(got, []string{"n1"}) {
		t.Errorf("nodes: %v", got)
	}
}
