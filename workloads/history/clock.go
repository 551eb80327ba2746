package history

import "time"

// Clock reads monotonic time as nanoseconds since its creation, the time base
// of every Op and Event of one run. The zero Clock is not usable; make one
// with NewClock at the start of the run and share it.
type Clock struct {
	start time.Time
}

// NewClock returns a Clock whose zero is now.
func NewClock() Clock { return Clock{start: time.Now()} }

// Now returns the nanoseconds elapsed since the clock was made. It never goes
// backwards (time.Since uses the monotonic reading).
func (c Clock) Now() int64 { return int64(time.Since(c.start)) }

// At returns t, read from the monotonic clock, as nanoseconds since the
// clock was made: Now for a time the caller has read already.
func (c Clock) At(t time.Time) int64 { return int64(t.Sub(c.start)) }

// Start returns the wall-clock time of the clock's zero, for the results
// folder.
func (c Clock) Start() time.Time { return c.start }
