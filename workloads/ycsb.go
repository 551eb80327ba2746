package workloads

import "sort"

type ycsbPreset struct {
	mix  Mix
	dist string
	desc string
}

// ycsbPresets maps YCSB's core workloads onto Get/Put/Append. E is absent:
// it needs range scans.
var ycsbPresets = map[string]ycsbPreset{
	"a": {Mix{Get: 0.5, Put: 0.5}, DistZipfian, "update heavy: 50% reads, 50% updates, zipfian"},
	"b": {Mix{Get: 0.95, Put: 0.05}, DistZipfian, "read mostly: 95% reads, 5% updates, zipfian"},
	"c": {Mix{Get: 1}, DistZipfian, "read only: 100% reads, zipfian"},
	"d": {Mix{Get: 0.95, Insert: 0.05}, DistLatest, "read latest: 95% reads, 5% inserts, latest"},
	"f": {Mix{Get: 0.5, RMW: 0.5}, DistZipfian, "read-modify-write: 50% reads, 50% read-modify-writes (Get then Put), zipfian"},
}

// YCSBPreset describes one supported YCSB core workload.
type YCSBPreset struct {
	Name         string
	Mix          Mix
	Distribution string
	Description  string
}

// YCSBPresets lists the supported YCSB core workloads in name order. E is
// not among them: its range scans are not part of the Get/Put/Append API.
func YCSBPresets() []YCSBPreset {
	var out []YCSBPreset
	for n, p := range ycsbPresets {
		out = append(out, YCSBPreset{Name: n, Mix: p.mix, Distribution: p.dist, Description: p.desc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
