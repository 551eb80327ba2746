package reports

import (
	"fmt"
	"slices"
)

// Limits of the latency scatter.
const (
	// MaxScatter bounds the successful ops drawn in the latency scatter.
	MaxScatter = 30_000
	// MaxScatterFailures bounds the failed and unknown ops drawn; below it
	// every one of them is drawn.
	MaxScatterFailures = 200_000
	// scatterBuckets is the number of time buckets whose slowest successful
	// op is always kept, so that latency spikes survive downsampling.
	scatterBuckets = 2_000
)

// Scatter is the latency scatter: one point per kept op, in columns sorted
// by invocation time. T is seconds since the run started, Lat is latency
// in µs, O is the outcome (0 ok, 1 fail, 2 info).
type Scatter struct {
	T   []float64 `json:"t"`
	Lat []int64   `json:"lat"`
	O   []int     `json:"o"`
	// Total is the number of ops in the history; Kept the number drawn.
	Total int64 `json:"total"`
	Kept  int64 `json:"kept"`
	// Note says what was left out, when anything was.
	Note string `json:"note,omitempty"`
}

// downsample picks the ops to draw: every failed and unknown op (up to
// maxFail, then an even stride of them), and up to maxOK successful ops:
// an even stride over history order plus the slowest op of each time
// bucket. The choice is deterministic.
func downsample(ops []op, maxOK, maxFail int) *Scatter {
	var okIdx, failIdx []int
	var lo, hi int64 = -1, 0
	for i, o := range ops {
		if o.outcome == outcomeOK {
			okIdx = append(okIdx, i)
		} else {
			failIdx = append(failIdx, i)
		}
		if lo < 0 || o.invoke < lo {
			lo = o.invoke
		}
		hi = max(hi, o.invoke)
	}
	keep := make([]int, 0, min(len(okIdx), maxOK)+min(len(failIdx), maxFail))
	var notes []string
	if len(failIdx) > maxFail {
		keep = append(keep, stride(failIdx, maxFail)...)
		notes = append(notes, fmt.Sprintf("%d of %d failed or unknown ops", maxFail, len(failIdx)))
	} else {
		keep = append(keep, failIdx...)
	}
	if len(okIdx) > maxOK {
		// The slowest op of each bucket, then a stride for the rest.
		slowest := make([]int, scatterBuckets)
		for i := range slowest {
			slowest[i] = -1
		}
		span := max(hi-lo, 1)
		for _, i := range okIdx {
			b := int((ops[i].invoke - lo) * (scatterBuckets - 1) / span)
			if j := slowest[b]; j < 0 || latency(ops[i]) > latency(ops[j]) {
				slowest[b] = i
			}
		}
		chosen := map[int]bool{}
		for _, i := range slowest {
			if i >= 0 {
				chosen[i] = true
			}
		}
		for _, i := range stride(okIdx, maxOK-len(chosen)) {
			chosen[i] = true
		}
		for _, i := range okIdx {
			if chosen[i] {
				keep = append(keep, i)
			}
		}
		notes = append(notes, fmt.Sprintf("%d of %d successful ops (evenly spread, plus the slowest of every %.3g s)",
			len(chosen), len(okIdx), float64(span)/scatterBuckets/1e9))
	} else {
		keep = append(keep, okIdx...)
	}
	slices.SortFunc(keep, func(a, b int) int {
		if ops[a].invoke != ops[b].invoke {
			if ops[a].invoke < ops[b].invoke {
				return -1
			}
			return 1
		}
		return a - b
	})
	s := &Scatter{T: make([]float64, len(keep)), Lat: make([]int64, len(keep)), O: make([]int, len(keep)),
		Total: int64(len(ops)), Kept: int64(len(keep))}
	for j, i := range keep {
		s.T[j] = secs(ops[i].invoke)
		s.Lat[j] = max(latency(ops[i]), 1)
		s.O[j] = ops[i].outcome
	}
	if len(notes) > 0 {
		s.Note = "latency scatter downsampled: drawn " + notes[0]
		for _, n := range notes[1:] {
			s.Note += "; " + n
		}
	}
	return s
}

// latency is an op's latency in µs.
func latency(o op) int64 { return (o.complete - o.invoke) / 1e3 }

// stride returns n elements of idx spread evenly (all of them if n is not
// smaller than len(idx)).
func stride(idx []int, n int) []int {
	if n >= len(idx) {
		return idx
	}
	if n <= 0 {
		return nil
	}
	out := make([]int, n)
	for j := range n {
		out[j] = idx[j*len(idx)/n]
	}
	return out
}
