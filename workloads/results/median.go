package results

import "slices"

// Median is the median of xs (the mean of the middle two for an even
// count); 0 for none. Every median of rounds in results and reports is
// this one.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
