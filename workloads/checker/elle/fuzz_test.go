package elle

import (
	"bytes"
	"os"
	"testing"

	"faultline/workloads/history"
	"faultline/workloads/jepsen"
)

// FuzzFromCalls: no recorded txn call makes FromCalls or Check panic; a
// history it accepts validates.
func FuzzFromCalls(f *testing.F) {
	f.Add(`{"txn":[["append",1,1],["r",2,null]]}`, `{"type":"txn_ok","txn":[["append",1,1],["r",2,[1]]]}`, true)
	f.Add(`{"txn":[["w",1,1],["r",2,null]]}`, `{"type":"txn_ok","txn":[["w",1,1],["r",2,3]]}`, false)
	f.Fuzz(func(t *testing.T, in, out string, ok bool) {
		outcome := history.Info
		if ok {
			outcome = history.OK
		}
		ops := []history.Op{
			{Client: 1, Kind: history.Call, Key: "txn", Value: in, Output: out, Invoke: 0, Complete: 5, Outcome: outcome},
			{Client: 2, Kind: history.Call, Key: "txn", Value: in, Output: out, Invoke: 1, Complete: 6, Outcome: history.OK},
		}
		h, err := FromCalls(ops)
		if err != nil {
			return
		}
		if err := h.Validate(); err != nil {
			t.Fatal(err)
		}
		Check(h, Options{})
	})
}

// FuzzCheckEDN: no transactional history.edn the reader accepts makes the
// checker panic, under the default model and under the weakest.
func FuzzCheckEDN(f *testing.F) {
	for _, name := range []string{"elle-la-g1b-1.edn", "elle-la-internal-1.edn", "elle-rw-g-single-1.edn", "paper-example.edn", "elle-la-dirty-update-1.edn"} {
		b, err := os.ReadFile("testdata/corpus/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := jepsen.ReadTxnEDN(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, o := range []Options{{}, {Models: []Model{ReadUncommitted, StrongSessionSerializable}}} {
			res := Check(h, o)
			if res.Verdict == Valid && len(res.AnomalyTypes) > 0 {
				t.Fatalf("valid with anomalies %v", res.AnomalyTypes)
			}
		}
	})
}
