package runner

import (
	"sort"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

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
type collector struct {
	mu      sync.Mutex
	start   time.Time // the run's time zero
	types   map[string]*typeStats
	seconds []*second
}

type typeStats struct {
	hist   *hdr.Histogram
	counts results.Counts
}

type second struct {
	counts map[string]*results.Counts
	hist   *hdr.Histogram
	errors map[string]int64
}

func newCollector(start time.Time) *collector {
	return &collector{start: start, types: map[string]*typeStats{}}
}

// add records one op of type kind that completed at done (since the run's
// start) after latency lat, counting it in the summary when measured.
func (c *collector) add(kind string, out history.Outcome, done, lat time.Duration, measured bool, errKind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if measured {
		ts := c.types[kind]
		if ts == nil {
			ts = &typeStats{hist: newHist(histDigits)}
			c.types[kind] = ts
		}
		record(ts.hist, lat)
		ts.counts.Add(out)
	}
	sec := int(done / time.Second)
	if sec < 0 {
		sec = 0
	}
	for len(c.seconds) <= sec {
		c.seconds = append(c.seconds, nil)
	}
	s := c.seconds[sec]
	if s == nil {
		s = &second{counts: map[string]*results.Counts{}, hist: newHist(seriesDigit)}
		c.seconds[sec] = s
	}
	n := s.counts[kind]
	if n == nil {
		n = new(results.Counts)
		s.counts[kind] = n
	}
	n.Add(out)
	record(s.hist, lat)
	if errKind != "" {
		if s.errors == nil {
			s.errors = map[string]int64{}
		}
		s.errors[errKind]++
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
	kinds := make([]string, 0, len(c.types))
	for k := range c.types {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		ts := c.types[k]
		out[k] = summarise(ts.hist, ts.counts, secs)
		all.Merge(ts.hist)
		sum = results.Counts{OK: sum.OK + ts.counts.OK, Fail: sum.Fail + ts.counts.Fail, Info: sum.Info + ts.counts.Info}
	}
	out["all"] = summarise(all, sum, secs)
	series := make([]results.Second, 0, len(c.seconds))
	for i, s := range c.seconds {
		p := results.Second{T: i, Ops: map[string]results.Counts{}}
		if s != nil {
			for k, n := range s.counts {
				p.Ops[k] = *n
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
	for _, s := range c.seconds {
		if s == nil {
			continue
		}
		for _, n := range s.counts {
			ops += n.OK + n.Fail + n.Info
			errs += n.Fail + n.Info
		}
	}
	return ops, errs
}
