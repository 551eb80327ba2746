package elle

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"faultline/workloads/checker"
)

// Verdicts, Faultline's one verdict type.
const (
	Unknown = checker.Unknown
	Valid   = checker.Valid
	Invalid = checker.Invalid
)

// Anomaly is one example of an anomaly type, explained.
type Anomaly struct {
	// Type is Elle's name of the anomaly: G0, G1a, G1b, G1c,
	// G-single-item, G-nonadjacent-item, G2-item (the cycle types with a
	// -process or -realtime suffix when the cycle needs those orders),
	// internal, future-read, lost-update, dirty-update,
	// duplicate-elements, incompatible-order, never-written,
	// cyclic-versions; and, making a verdict Unknown only,
	// empty-transaction-graph, duplicate-appends and cycle-search-cut.
	Type string `json:"type"`
	// Key is the key involved, when one is.
	Key string `json:"key,omitempty"`
	// Txns indexes the transactions involved (Txns.Txns), the cycle's in
	// cycle order.
	Txns []int `json:"txns,omitempty"`
	// Text explains the anomaly in words.
	Text string `json:"text"`
	// Cycle is the cycle of a cycle anomaly, ready to draw.
	Cycle *Cycle `json:"cycle,omitempty"`
}

// Stats describe the dependency graph.
type Stats struct {
	// DataEdges counts ww, wr and rw edges before merging; Edges the
	// merged edges of the final graph, order edges included.
	DataEdges int `json:"data_edges"`
	Edges     int `json:"edges"`
	// SCCs counts strongly connected components of two or more
	// transactions; LargestSCC is the size of the largest.
	SCCs       int `json:"sccs"`
	LargestSCC int `json:"largest_scc"`
	// HeapBytes is the process's heap in use when the check finished (the
	// history included); AllocBytes what the check itself allocated.
	HeapBytes  uint64 `json:"heap_bytes"`
	AllocBytes uint64 `json:"alloc_bytes"`
}

// Result is the outcome of a check.
type Result struct {
	Verdict checker.Verdict `json:"verdict"`
	// Reason says why the verdict is Unknown.
	Reason string `json:"reason,omitempty"`
	// Workload is "list-append" or "rw-register".
	Workload string `json:"workload"`
	Txns     int    `json:"txns"`
	Keys     int    `json:"keys"`
	// Models are the models checked.
	Models []Model `json:"models"`
	// AnomalyTypes are the types found that the models (or the Anomalies
	// option) prohibit, plus the types that make a verdict Unknown; sorted.
	AnomalyTypes []string `json:"anomaly_types,omitempty"`
	// AlsoFound are types found that nothing checked prohibits.
	AlsoFound []string `json:"also_found,omitempty"`
	// Anomalies explains the examples of every type found, sorted by type,
	// then by the first transaction involved.
	Anomalies []Anomaly `json:"anomalies,omitempty"`
	// Not are the weakest models the history rules out; AlsoNot the
	// stronger ones it rules out with them.
	Not     []Model       `json:"not,omitempty"`
	AlsoNot []Model       `json:"also_not,omitempty"`
	Stats   Stats         `json:"stats"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// maxPerType bounds the examples kept of each non-cycle anomaly type.
const maxPerType = 8

// fill sets the verdict and the lists from the anomalies found.
func (r *Result) fill(c *check, want map[string]bool) {
	slices.SortStableFunc(c.found, func(a, b Anomaly) int {
		if d := cmp.Compare(a.Type, b.Type); d != 0 {
			return d
		}
		return slices.Compare(a.Txns, b.Txns)
	})
	per := map[string]int{}
	types := map[string]bool{}
	for _, a := range c.found {
		types[a.Type] = true
		per[a.Type]++
		if per[a.Type] <= maxPerType || a.Cycle != nil {
			r.Anomalies = append(r.Anomalies, a)
		}
	}
	bad, unknown := false, false
	var found []string
	for t := range types {
		switch {
		case want[t]:
			bad = true
			r.AnomalyTypes = append(r.AnomalyTypes, t)
		case unknownAnomalies[t]:
			unknown = true
			r.AnomalyTypes = append(r.AnomalyTypes, t)
		default:
			r.AlsoFound = append(r.AlsoFound, t)
		}
		if !unknownAnomalies[t] {
			found = append(found, t)
		}
	}
	slices.Sort(r.AnomalyTypes)
	slices.Sort(r.AlsoFound)
	imp := impossible(found)
	r.Not = weakest(imp)
	for _, m := range imp {
		if !slices.Contains(r.Not, m) {
			r.AlsoNot = append(r.AlsoNot, m)
		}
	}
	switch {
	case bad:
		r.Verdict = Invalid
	case unknown:
		r.Verdict = Unknown
		r.Reason = "the check could not judge: " + strings.Join(r.AnomalyTypes, ", ")
	default:
		r.Verdict = Valid
	}
}

// Summary describes the result on one line.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %d txns on %d keys", r.Workload, r.Verdict, r.Txns, r.Keys)
	if len(r.AnomalyTypes) > 0 {
		fmt.Fprintf(&b, ", anomalies %s", strings.Join(r.AnomalyTypes, " "))
	}
	if len(r.Not) > 0 {
		ms := make([]string, len(r.Not))
		for i, m := range r.Not {
			ms[i] = string(m)
		}
		fmt.Fprintf(&b, "; not %s", strings.Join(ms, ", "))
	}
	if r.Reason != "" && r.Verdict == Unknown {
		fmt.Fprintf(&b, ": %s", r.Reason)
	}
	fmt.Fprintf(&b, " in %v", r.Elapsed.Round(time.Millisecond))
	return b.String()
}

// Explain writes every anomaly example on its own lines: the type, the
// text, and a cycle's steps.
func (r *Result) Explain() string {
	var b strings.Builder
	for _, a := range r.Anomalies {
		fmt.Fprintf(&b, "%s", a.Type)
		if a.Key != "" {
			fmt.Fprintf(&b, " on key %s", a.Key)
		}
		fmt.Fprintf(&b, ": %s\n", a.Text)
		if a.Cycle != nil {
			for _, s := range a.Cycle.Steps {
				fmt.Fprintf(&b, "  T%d %s\n    -%s-> %s\n", s.Index, s.Op, s.Rel, s.Why)
			}
		}
	}
	return b.String()
}
