package history_test

import (
	"fmt"
	"os"

	"faultline/workloads/history"
)

// A recorder writes each op as it completes; the stream is JSON lines.
func ExampleWriter() {
	w := history.NewWriter(os.Stdout)
	tok := history.Token{Client: 3, Seq: 17}
	_ = w.WriteOp(history.Op{Client: 3, Kind: history.Append, Key: "k1", Value: tok.String(), Invoke: 1200, Complete: 5100, Outcome: history.OK, Node: "n2"})
	_ = w.WriteEvent(history.Event{Kind: "partition", Start: 4000, Stop: 9000, Nodes: []string{"n1"}, Desc: "isolate n1"})
	_ = w.Flush()
	// Output:
	// {"type":"op","client":3,"kind":"append","key":"k1","value":"c3.s17;","invoke":1200,"complete":5100,"outcome":"ok","node":"n2"}
	// {"type":"event","kind":"partition","start":4000,"stop":9000,"nodes":["n1"],"desc":"isolate n1"}
}

func ExampleSplitTokens() {
	toks, err := history.SplitTokens("c3.s17;c12.s345;")
	fmt.Println(toks, err)
	// Output: [c3.s17; c12.s345;] <nil>
}
