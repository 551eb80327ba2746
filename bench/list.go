package main

import (
	"fmt"
	"io"
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
	fmt.Fprintln(tw, "WORKLOADS (workload.kind)")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.KindKV, "key/value mix (custom or YCSB), checked for linearizability per key")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.KindRegister, "Get/Put of unique values on a small key space, for porcupine")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.KindAppend, "unique tokens appended to shared keys and read back; exact append check")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.KindMapReduce, "one batch job (a batch backend such as mapreduce), output checked against a sequential run")
	fmt.Fprintln(tw, "YCSB PRESETS (workload.ycsb, kind kv)")
	for _, p := range workloads.YCSBPresets() {
		fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Description)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "e", "not supported: range scans are not part of the Get/Put/Append API")
	fmt.Fprintln(tw, "KEY DISTRIBUTIONS (workload.distribution)")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.DistUniform, "every key equally likely")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.DistZipfian, "zipfian, constant 0.99, scrambled over the key space as YCSB")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.DistLatest, "zipfian over recency: recently inserted keys are hottest")
	fmt.Fprintf(tw, "  %s\t%s\n", workloads.DistHotspot, "a fraction of ops (hotspot.ops) on a fraction of keys (hotspot.keys)")
	fmt.Fprintln(tw, "FAULTS")
	for _, f := range reg.faultKinds() {
		fmt.Fprintf(tw, "  %s\t%s\n", f[0], f[1])
	}
	tw.Flush()
	return exitValid
}
