package workloads_test

import (
	"fmt"

	"faultline/workloads"
)

func ExampleParse() {
	_, _, err := workloads.Parse("run.yaml", []byte(`
workload:
  kind: kv
  clinets: 8
`))
	fmt.Println(err)

	_, _, err = workloads.Parse("run.yaml", []byte(`
workload:
  loop: open
  rate: -5
`))
	fmt.Println(err)

	cfg, _, _ := workloads.Parse("run.yaml", []byte("workload:\n  ycsb: b\n"))
	fmt.Println(cfg.Workload.Mix.Get, cfg.Workload.Distribution, cfg.Backend.Name, cfg.Workload.Clients)
	// Output:
	// run.yaml:4: unknown key "clinets" (known here: clients, distribution, duration, hotspot, keys, kind, loop, maelstrom, mix, ops, rate, read_fraction, timeout, txn, value_size, warmup, ycsb)
	// run.yaml:4: workload.rate: -5 ops/s, an open loop needs a rate in (0, 1e7]
	// 0.95 zipfian raftkv 8
}
