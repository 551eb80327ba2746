package checker_test

import (
	"fmt"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// A read that began after an append completed, yet did not see it.
func ExampleCheckAppend() {
	a := history.Token{Client: 3, Seq: 17}.String()
	ops := []history.Op{
		{Client: 3, Kind: history.Append, Key: "k", Value: a, Invoke: 12_100_000_000, Complete: 12_200_000_000, Outcome: history.OK},
		{Client: 5, Kind: history.Get, Key: "k", Output: "", Invoke: 12_301_000_000, Complete: 12_320_000_000, Outcome: history.OK},
		{Client: 6, Kind: history.Get, Key: "k", Output: a, Invoke: 12_400_000_000, Complete: 12_410_000_000, Outcome: history.OK},
	}
	res, err := checker.CheckAppend(ops, checker.AppendOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Verdict, res.Counts)
	fmt.Println(res.Anomalies[0])
	// Output:
	// invalid map[stale-read:1]
	// stale-read on key "k": read by client 5 at 12.301 s missed append c3.s17; (client 3), which completed at 12.200 s
	//   1. op 1: read by client 5, invoked 12.301 s, completed 12.320 s, saw no appends
	//      -> did not see c3.s17;, so it comes before that append
	//   2. op 0: append c3.s17; by client 3, invoked 12.100 s, completed 12.200 s
	//      -> completed before the read was invoked
}
