package chaos

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// cut is a partition: the set of directed links that are blocked.
type cut map[[2]string]bool

// block blocks every link from a node of a to a node of b.
func (c cut) block(a, b []string) {
	for _, x := range a {
		for _, y := range b {
			if x != y {
				c[[2]string{x, y}] = true
			}
		}
	}
}

// split blocks both directions between a and b.
func (c cut) split(a, b []string) {
	c.block(a, b)
	c.block(b, a)
}

// nodes lists the nodes with at least one blocked link, sorted.
func (c cut) nodes() []string {
	set := map[string]bool{}
	for l := range c {
		set[l[0]], set[l[1]] = true, true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// partition builds the cut of shape over nodes. target is the node of
// isolate, leader and one-way shapes. It returns the cut and a description
// of the sides.
func partition(shape Shape, nodes []string, target string, inbound bool, rng *rand.Rand) (cut, string) {
	c := cut{}
	n := len(nodes)
	shuffled := slices.Clone(nodes)
	rng.Shuffle(n, func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	others := func(x string) []string {
		var o []string
		for _, y := range nodes {
			if y != x {
				o = append(o, y)
			}
		}
		return o
	}
	switch shape {
	case ShapeHalves:
		a, b := sorted(shuffled[:n/2]), sorted(shuffled[n/2:])
		c.split(a, b)
		return c, sides(a, b)
	case ShapeMajority:
		m := max(1, (n-1)/2)
		a, b := nodes[:n-m], nodes[n-m:]
		c.split(a, b)
		return c, sides(a, b)
	case ShapeIsolate, ShapeLeader:
		c.split([]string{target}, others(target))
		return c, sides([]string{target}, others(target))
	case ShapeOneWay:
		if inbound {
			c.block(others(target), []string{target})
			return c, fmt.Sprintf("%s deaf to %s", target, strings.Join(others(target), " "))
		}
		c.block([]string{target}, others(target))
		return c, fmt.Sprintf("%s mute to %s", target, strings.Join(others(target), " "))
	case ShapeBridge:
		m := n / 2
		left, bridge, right := sorted(shuffled[:m]), shuffled[m], sorted(shuffled[m+1:])
		c.split(left, right)
		return c, fmt.Sprintf("%s | bridge %s | %s", strings.Join(left, " "), bridge, strings.Join(right, " "))
	case ShapeRing:
		// Node i hears only the majority window around it on a random
		// ring (offsets -lo .. m-1-lo): each node sees a majority, no two
		// the same one.
		m := n/2 + 1
		lo := (m - 1) / 2
		for i, to := range shuffled {
			hear := map[string]bool{}
			for k := 0; k < m; k++ {
				hear[shuffled[((i-lo+k)%n+n)%n]] = true
			}
			for _, from := range shuffled {
				if !hear[from] {
					c[[2]string{from, to}] = true
				}
			}
		}
		return c, "ring " + strings.Join(shuffled, " ")
	}
	panic("chaos: unknown shape " + string(shape))
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func sides(a, b []string) string {
	return strings.Join(a, " ") + " | " + strings.Join(b, " ")
}

// pick chooses the target nodes of t among candidates (the nodes that are
// up), with leader the current leader ("" if none or not asked).
func pick(t Target, named []string, candidates []string, leader string, total int, rng *rand.Rand) []string {
	shuffled := slices.Clone(candidates)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	take := func(k int) []string { return sorted(shuffled[:min(k, len(shuffled))]) }
	switch t {
	case TargetRandom:
		return take(1)
	case TargetLeader:
		if leader != "" && slices.Contains(candidates, leader) {
			return []string{leader}
		}
		return nil
	case TargetMinority:
		return take(max(1, (total-1)/2))
	case TargetMajority:
		return take(total/2 + 1)
	case TargetAll:
		return sorted(candidates)
	case TargetNodes:
		var out []string
		for _, x := range named {
			if slices.Contains(candidates, x) {
				out = append(out, x)
			}
		}
		return out
	}
	return nil
}
