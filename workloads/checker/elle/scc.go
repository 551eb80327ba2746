package elle

// sccs returns the strongly connected components of more than one vertex
// of g restricted to edges whose kinds intersect mask and, when verts is
// not nil, to the vertices listed in verts (then in must say, for every
// vertex, whether it is one of them). Each component's vertices are
// sorted; components come in order of their smallest vertex.
//
// It is Tarjan's algorithm with an explicit stack, so a component of a
// million transactions needs no deep recursion.
func sccs(g *graph, mask Rel, verts []int32, in []bool) [][]int32 {
	n := g.n()
	index := make([]int32, n) // 0: unvisited; else visit order + 1
	low := make([]int32, n)
	onStack := make([]bool, n)
	var stack []int32
	type frame struct {
		v int32
		e int32 // next out-edge to look at
	}
	var call []frame
	var out [][]int32
	next := int32(1)
	visit := func(root int32) {
		call = append(call[:0], frame{root, g.start[root]})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.e < g.start[v+1] {
				i := f.e
				f.e++
				w := g.to[i]
				if g.rel[i]&mask == 0 || (in != nil && !in[w]) {
					continue
				}
				switch {
				case index[w] == 0:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, g.start[w]})
				case onStack[w]:
					low[v] = min(low[v], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			j := len(stack) - 1
			for stack[j] != v {
				j--
			}
			comp := stack[j:]
			for _, w := range comp {
				onStack[w] = false
			}
			if len(comp) > 1 {
				c := make([]int32, len(comp))
				copy(c, comp)
				sortInt32(c)
				out = append(out, c)
			}
			stack = stack[:j]
		}
	}
	if verts == nil {
		for v := int32(0); int(v) < n; v++ {
			if index[v] == 0 {
				visit(v)
			}
		}
	} else {
		for _, v := range verts {
			if index[v] == 0 {
				visit(v)
			}
		}
	}
	sortComps(out)
	return out
}
