package elle_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"faultline/workloads/checker/elle"
	"faultline/workloads/jepsen"
)

// Check a Jepsen list-append history: T1 appended to :x after T0 did (ww),
// yet T0 read T1's append to :y (wr). A cycle of ww and wr edges: G1c.
func ExampleCheck() {
	h, err := jepsen.ReadTxnEDN(strings.NewReader(`
{:type :ok, :process 0, :f :txn, :value [[:append :x 1] [:r :y [1]]]}
{:type :ok, :process 1, :f :txn, :value [[:append :x 2] [:append :y 1]]}
{:type :ok, :process 2, :f :txn, :value [[:r :x [1 2]]]}`))
	if err != nil {
		panic(err)
	}
	res := elle.Check(h, elle.Options{Models: []elle.Model{elle.Serializable}})
	fmt.Println(res.Verdict, res.AnomalyTypes, "not", res.Not)
	fmt.Print(res.Explain())
	step, _ := json.Marshal(res.Anomalies[0].Cycle.Steps[0])
	fmt.Println(string(step))
	// Output:
	// invalid [G1c] not [read-committed]
	// G1c: a cycle of 2 transactions: T1 appended 2 after T0 appended 1 to :x; T0 observed T1's append of 1 to :y
	//   T0 [[:append :x 1] [:r :y [1]]]
	//     -ww-> T1 appended 2 after T0 appended 1 to :x
	//   T1 [[:append :x 2] [:append :y 1]]
	//     -wr-> T0 observed T1's append of 1 to :y
	// {"txn":0,"index":0,"op":"[[:append :x 1] [:r :y [1]]]","rel":"ww","key":":x","why":"T1 appended 2 after T0 appended 1 to :x"}
}
