package chaos

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// Occurrence is one firing of a schedule entry.
type Occurrence struct {
	// Entry is the index of the entry in Schedule.Entries.
	Entry int
	// At is when it fires, since the start of the measured run.
	At time.Duration
	// Until is when its window ends (equal to At for instantaneous faults).
	Until time.Duration
}

// times yields the firing times of entry i below end (end <= 0: no bound),
// from a source seeded by the schedule seed and the entry's index, so that
// adding an entry does not move the others. At most maxOccurrences are
// yielded.
func (s *Schedule) times(i int, seed int64, end time.Duration, yield func(at time.Duration) bool) {
	e := &s.Entries[i]
	before := func(t time.Duration) bool { return end <= 0 || t < end }
	switch e.Timing {
	case Once:
		if before(e.At) {
			yield(e.At)
		}
	case Every:
		for k, t := 0, e.Start; k < maxOccurrences && before(t); k, t = k+1, t+e.Interval {
			if !yield(t) {
				return
			}
		}
	case Random:
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)+1))
		t := e.Start
		for k := 0; k < maxOccurrences; k++ {
			t += time.Duration(rng.ExpFloat64() * float64(e.Interval))
			if !before(t) || !yield(t) {
				return
			}
		}
	}
}

// Plan lists every occurrence of the schedule in a measured run of length
// runLen (the final heal comes Recovery before its end), in order of time.
// It is what Run will do, for tests and for showing a schedule.
func (s *Schedule) Plan(seed int64, runLen time.Duration) []Occurrence {
	end := s.healAt(runLen)
	var out []Occurrence
	for i := range s.Entries {
		e := &s.Entries[i]
		s.times(i, seed, end, func(at time.Duration) bool {
			until := at + e.For
			if end > 0 && until > end {
				until = end
			}
			out = append(out, Occurrence{Entry: i, At: at, Until: until})
			return true
		})
	}
	sortOccurrences(out)
	return out
}

// healAt is when the final heal comes in a run of length runLen, or 0 when
// the run's length is not known.
func (s *Schedule) healAt(runLen time.Duration) time.Duration {
	if runLen <= 0 {
		return 0
	}
	return runLen - s.Recovery
}

func sortOccurrences(o []Occurrence) {
	slices.SortStableFunc(o, func(a, b Occurrence) int {
		return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.Entry, b.Entry))
	})
}
