package runner

import (
	"sort"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
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

// outcome indexes per-outcome counters.
type outcome uint8

const (
	okOut outcome = iota
	failOut
	infoOut
)

// collector accumulates measurements: whole-run HDR histograms per op type
// for the measured phases, and a per-second series over the whole run.
type collector struct {
	mu      sync.Mutex
	start   time.Time // the run's time zero
	types   map[string]*typeStats
	seconds []*second
}

type typeStats struct {
	hist           *hdr.Histogram
	ok, fail, info int64
}

type second struct {
	counts map[string]*[3]int64
	hist   *hdr.Histogram
	errors map[string]int64
}

func newCollector(start time.Time) *collector {
	return &collector{start: start, types: map[string]*typeStats{}}
}

// add records one op of type kind that completed at done (since the run's
// start) after latency lat, counting it in the summary when measured.
func (c *collector) add(kind string, out outcome, done, lat time.Duration, measured bool, errKind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if measured {
		ts := c.types[kind]
		if ts == nil {
			ts = &typeStats{hist: newHist(histDigits)}
			c.types[kind] = ts
		}
		record(ts.hist, lat)
		switch out {
		case okOut:
			ts.ok++
		case failOut:
			ts.fail++
		default:
			ts.info++
		}
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
		s = &second{counts: map[string]*[3]int64{}, hist: newHist(seriesDigit)}
		c.seconds[sec] = s
	}
	n := s.counts[kind]
	if n == nil {
		n = new([3]int64)
		s.counts[kind] = n
	}
	n[out]++
	record(s.hist, lat)
	if errKind != "" {
		if s.errors == nil {
			s.errors = map[string]int64{}
		}
		s.errors[errKind]++
	}
}

// OpStats summarises the measured ops of one type (or "all"). Latencies are
// in microseconds, measured from each op's intended start in an open loop.
type OpStats struct {
	Count     int64   `json:"count"`
	OK        int64   `json:"ok"`
	Fail      int64   `json:"fail"`
	Info      int64   `json:"info"`
	OpsPerSec float64 `json:"ops_per_sec"`
	MeanUS    float64 `json:"mean_us"`
	P50US     int64   `json:"p50_us"`
	P90US     int64   `json:"p90_us"`
	P99US     int64   `json:"p99_us"`
	P999US    int64   `json:"p999_us"`
	P9999US   int64   `json:"p9999_us"`
	MaxUS     int64   `json:"max_us"`
	// Percentiles samples the latency distribution for plotting: pairs of
	// percentile and latency in µs, from 0 to 100.
	Percentiles [][2]float64 `json:"percentiles"`
}

var curve = []float64{0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 97.5, 98, 98.5,
	99, 99.25, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100}

func summarise(h *hdr.Histogram, ok, fail, info int64, secs float64) OpStats {
	s := OpStats{Count: h.TotalCount(), OK: ok, Fail: fail, Info: info}
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

// Second is one point of the per-second series.
type Second struct {
	// T is the second's start, in seconds since the run started.
	T int `json:"t"`
	// Ops counts the ops that completed in this second, per type, by
	// outcome.
	Ops map[string]Counts `json:"ops"`
	// Latency percentiles (µs) of every op completed in this second.
	P50US int64 `json:"p50_us"`
	P90US int64 `json:"p90_us"`
	P99US int64 `json:"p99_us"`
	MaxUS int64 `json:"max_us"`
	// Errors counts errors by kind ("timeout", "unreachable", "definite",
	// "other").
	Errors map[string]int64 `json:"errors,omitempty"`
}

// Counts are op counts by outcome.
type Counts struct {
	OK   int64 `json:"ok"`
	Fail int64 `json:"fail"`
	Info int64 `json:"info"`
}

// snapshot returns the summary over the measured window (secs long) and
// the series.
func (c *collector) snapshot(secs float64) (map[string]OpStats, []Second) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]OpStats{}
	all := newHist(histDigits)
	var ok, fail, info int64
	kinds := make([]string, 0, len(c.types))
	for k := range c.types {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		ts := c.types[k]
		out[k] = summarise(ts.hist, ts.ok, ts.fail, ts.info, secs)
		all.Merge(ts.hist)
		ok, fail, info = ok+ts.ok, fail+ts.fail, info+ts.info
	}
	out["all"] = summarise(all, ok, fail, info, secs)
	series := make([]Second, 0, len(c.seconds))
	for i, s := range c.seconds {
		p := Second{T: i, Ops: map[string]Counts{}}
		if s != nil {
			for k, n := range s.counts {
				p.Ops[k] = Counts{OK: n[okOut], Fail: n[failOut], Info: n[infoOut]}
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
			ops += n[0] + n[1] + n[2]
			errs += n[1] + n[2]
		}
	}
	return ops, errs
}
