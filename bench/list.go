package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"faultline/workloads"
)

// cmdList lists the backends, workloads and faults this binary knows.
func cmdList(reg *registries, w io.Writer) int {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BACKENDS")
	for _, n := range reg.backendNames() {
		e := reg.backends[n]
		def := ""
		if n == reg.defaultBackend {
			def = " (default)"
		}
		fmt.Fprintf(tw, "  %s%s\t%s\n", n, def, e.desc)
	}
	listSection(tw, "WORKLOADS (workload.kind)", [][2]string{
		{string(workloads.KindKV), "key/value mix (custom or YCSB), checked for linearizability per key"},
		{string(workloads.KindRegister), "Get/Put of unique values on a small key space, for porcupine"},
		{string(workloads.KindAppend), "unique tokens appended to shared keys and read back; exact append check"},
		{strings.Join(workloads.TxnKinds, ", "), "transactions (Elle's generator; section workload.txn) on a backend that runs them (memory), checked for isolation anomalies by elle"},
		{string(workloads.KindMapReduce), "one batch job (a batch backend such as mapreduce), output checked against a sequential run"},
		{strings.Join(workloads.MaelstromKinds, ", "), "Maelstrom's workloads and checkers (backend maelstrom; section workload.maelstrom; or `bench maelstrom test`)"},
	})
	var presets [][2]string
	for _, p := range workloads.YCSBPresets() {
		presets = append(presets, [2]string{p.Name, p.Description})
	}
	presets = append(presets, [2]string{"e", "not supported: range scans are not part of the Get/Put/Append API"})
	listSection(tw, "YCSB PRESETS (workload.ycsb, kind kv)", presets)
	listSection(tw, "KEY DISTRIBUTIONS (workload.distribution)", [][2]string{
		{workloads.DistUniform, "every key equally likely"},
		{workloads.DistZipfian, "zipfian, constant 0.99, scrambled over the key space as YCSB"},
		{workloads.DistLatest, "zipfian over recency: recently inserted keys are hottest"},
		{workloads.DistHotspot, "a fraction of ops (hotspot.ops) on a fraction of keys (hotspot.keys)"},
		{workloads.DistExponential, "transactional workloads: active key i picked with weight base^i (Elle's default; workload.txn.key_dist_base)"},
	})
	listSection(tw, "FAULTS", reg.faultKinds())
	tw.Flush()
	return exitValid
}

// listSection writes a titled section of name/description rows.
func listSection(tw io.Writer, title string, rows [][2]string) {
	fmt.Fprintln(tw, title)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
	}
}
