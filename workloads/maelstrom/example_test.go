package maelstrom_test

import (
	"fmt"

	"faultline/workloads/maelstrom"
)

// The neighbours broadcast's topology message gives each of five nodes on
// Maelstrom's default grid.
func ExampleTopology() {
	topo, err := maelstrom.Topology("grid", []string{"n0", "n1", "n2", "n3", "n4"})
	if err != nil {
		panic(err)
	}
	for _, n := range []string{"n0", "n1", "n2", "n3", "n4"} {
		fmt.Println(n, topo[n])
	}
	// Output:
	// n0 [n3 n1]
	// n1 [n4 n2 n0]
	// n2 [n1]
	// n3 [n0 n4]
	// n4 [n1 n3]
}

// A workload refuses the faults its checker cannot judge, before a run
// starts.
func ExampleWorkload_Judge() {
	w, err := maelstrom.New("g-counter", maelstrom.Options{Clients: 2})
	if err != nil {
		panic(err)
	}
	fmt.Println(w.Judge(maelstrom.Fault{Kind: "partition"}))
	fmt.Println(w.Judge(maelstrom.Fault{Kind: "network", Duplicates: true}))
	// Output:
	// <nil>
	// checker cannot judge this fault: g-counter under network (duplicating messages): a duplicated client request may be applied twice, which its checker would blame on the node
}
