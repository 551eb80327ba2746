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

// Round rounds x half away from zero to digits decimals: the one rounding
// of the figures that results and reports show.
func Round(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	if x < 0 {
		return -float64(int64(-x*p+0.5)) / p
	}
	return float64(int64(x*p+0.5)) / p
}
