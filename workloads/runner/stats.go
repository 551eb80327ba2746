package runner

import (
	"slices"
	"strings"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"faultline/workloads/gen"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// Latencies are recorded in microseconds from 1 µs to 10 minutes with three
// significant digits; longer ones are clamped to the top.
const (
	histMin     = 1
	histMax     = int64(10 * time.Minute / time.Microsecond)
	histDigits  = 3
	seriesDigit = 2
)

func newHist(digits int) *hdr.Histogram { return hdr.New(histMin, histMax, digits) }

func record(h *hdr.Histogram, d time.Duration) {
	us := max(int64(d/time.Microsecond), histMin)
	_ = h.RecordValue(min(us, histMax))
}

// collector accumulates measurements: whole-run HDR histograms per op type
// for the measured phases, and a per-second series over the whole run.
// Workers hand it their measurements in batches (samples), so that its
// lock is taken once per batch rather than once per op.
type collector struct {
	mu      sync.Mutex
	start   time.Time // the run's time zero
	types   map[gen.Kind]*typeStats
	seconds []*second
	// ops and errs count the ops handed over so far, for the live
	// progress line.
	ops, errs int64
	// names, when set, names the kinds it covers instead of gen.Kind's
	// String: the request types of a Maelstrom workload.
	names []string
}

// name is kind k's name in the measurements.
func (c *collector) name(k gen.Kind) string {
	if int(k) < len(c.names) && c.names[k] != "" {
		return c.names[k]
	}
	return k.String()
}

type typeStats struct {
	hist   *hdr.Histogram
	counts results.Counts
}

type second struct {
	counts map[gen.Kind]*results.Counts
	hist   *hdr.Histogram
	errors map[string]int64
}

func newCollector(start time.Time) *collector {
	return &collector{start: start, types: map[gen.Kind]*typeStats{}}
}

// sample is one op's measurement: an op of type kind that completed at
// done (since the run's start) after latency lat, with its outcome, its
// error's class, and whether it counts in the summary (measured). It
// holds no pointer, so that batching it costs the garbage collector
// nothing.
type sample struct {
	kind     gen.Kind
	out      history.Outcome
	measured bool
	err      errClass
	done     time.Duration
	lat      time.Duration
}

// samplesBatch is the number of measurements a worker holds before it
// hands them to the collector.
const samplesBatch = 64

// samples is one worker's measurements not yet handed to its collector:
// at most samplesBatch of them, all completed within the same second of
// the run, so that the progress line lags by less than a second (or by
// one op per worker when ops are rarer than that). It is not safe for
// concurrent use; flush it before the collector's snapshot.
type samples struct {
	c   *collector
	buf []sample
}

func (c *collector) newSamples() *samples {
	return &samples{c: c, buf: make([]sample, 0, samplesBatch)}
}

// add records s, handing the batch to the collector first when s
// completed in a later second than the batch's ops, and after when the
// batch is full.
func (b *samples) add(s sample) {
	if len(b.buf) > 0 && s.done/time.Second != b.buf[0].done/time.Second {
		b.flush()
	}
	b.buf = append(b.buf, s)
	if len(b.buf) == cap(b.buf) {
		b.flush()
	}
}

// flush hands the batch to the collector.
func (b *samples) flush() {
	if len(b.buf) == 0 {
		return
	}
	b.c.mu.Lock()
	for i := range b.buf {
		b.c.addLocked(&b.buf[i])
	}
	b.c.mu.Unlock()
	b.buf = b.buf[:0]
}

// addLocked records s; the caller holds c.mu.
func (c *collector) addLocked(s *sample) {
	c.ops++
	if s.out != history.OK {
		c.errs++
	}
	if s.measured {
		ts := c.types[s.kind]
		if ts == nil {
			ts = &typeStats{hist: newHist(histDigits)}
			c.types[s.kind] = ts
		}
		record(ts.hist, s.lat)
		ts.counts.Add(s.out)
	}
	sec := max(int(s.done/time.Second), 0)
	for len(c.seconds) <= sec {
		c.seconds = append(c.seconds, nil)
	}
	sc := c.seconds[sec]
	if sc == nil {
		sc = &second{counts: map[gen.Kind]*results.Counts{}, hist: newHist(seriesDigit)}
		c.seconds[sec] = sc
	}
	n := sc.counts[s.kind]
	if n == nil {
		n = new(results.Counts)
		sc.counts[s.kind] = n
	}
	n.Add(s.out)
	record(sc.hist, s.lat)
	if s.err != errNone {
		if sc.errors == nil {
			sc.errors = map[string]int64{}
		}
		sc.errors[s.err.String()]++
	}
}

var curve = []float64{0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 97.5, 98, 98.5,
	99, 99.25, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100}

func summarise(h *hdr.Histogram, n results.Counts, secs float64) results.OpStats {
	s := results.OpStats{Count: h.TotalCount(), OK: n.OK, Fail: n.Fail, Info: n.Info}
	if s.Count == 0 {
		return s
	}
	if secs > 0 {
		s.OpsPerSec = float64(s.Count) / secs
	}
	s.MeanUS = h.Mean()
	s.P50US = h.ValueAtQuantile(50)
	s.P90US = h.ValueAtQuantile(90)
	s.P99US = h.ValueAtQuantile(99)
	s.P999US = h.ValueAtQuantile(99.9)
	s.P9999US = h.ValueAtQuantile(99.99)
	s.MaxUS = h.Max()
	for _, p := range curve {
		v := h.ValueAtQuantile(p)
		if p == 100 {
			v = h.Max()
		}
		s.Percentiles = append(s.Percentiles, [2]float64{p, float64(v)})
	}
	return s
}

// snapshot returns the summary over the measured window (secs long) and
// the series.
func (c *collector) snapshot(secs float64) (map[string]results.OpStats, []results.Second) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]results.OpStats{}
	all := newHist(histDigits)
	var sum results.Counts
	kinds := make([]gen.Kind, 0, len(c.types))
	for k := range c.types {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b gen.Kind) int { return strings.Compare(c.name(a), c.name(b)) })
	for _, k := range kinds {
		ts := c.types[k]
		out[c.name(k)] = summarise(ts.hist, ts.counts, secs)
		all.Merge(ts.hist)
		sum = results.Counts{OK: sum.OK + ts.counts.OK, Fail: sum.Fail + ts.counts.Fail, Info: sum.Info + ts.counts.Info}
	}
	out["all"] = summarise(all, sum, secs)
	series := make([]results.Second, 0, len(c.seconds))
	for i, s := range c.seconds {
		p := results.Second{T: i, Ops: map[string]results.Counts{}}
		if s != nil {
			for k, n := range s.counts {
				p.Ops[c.name(k)] = *n
			}
			p.P50US = s.hist.ValueAtQuantile(50)
			p.P90US = s.hist.ValueAtQuantile(90)
			p.P99US = s.hist.ValueAtQuantile(99)
			p.MaxUS = s.hist.Max()
			p.Errors = s.errors
		}
		series = append(series, p)
	}
	return out, series
}

// progress returns the totals so far, for the live line.
func (c *collector) progress() (ops, errs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops, c.errs
}
