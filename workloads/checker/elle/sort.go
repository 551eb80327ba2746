package elle

import (
	"cmp"
	"slices"
)

func sortInt32(s []int32) { slices.Sort(s) }

// sortComps orders components by their smallest (first) vertex.
func sortComps(c [][]int32) {
	slices.SortFunc(c, func(a, b []int32) int { return cmp.Compare(a[0], b[0]) })
}
