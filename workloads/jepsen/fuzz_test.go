package jepsen

import (
	"bytes"
	"io"
	"os"
	"testing"

	"faultline/workloads/history"
)

func seeds(f *testing.F) {
	for _, name := range []string{"cas-ok.edn", "stale.edn", "jepsen.log"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadEDN: no input panics, and every op returned is valid.
func FuzzReadEDN(f *testing.F) { fuzzRead(f, ReadEDN) }

// FuzzReadLog: no input panics, and every op returned is valid.
func FuzzReadLog(f *testing.F) { fuzzRead(f, ReadLog) }

// fuzzRead checks that no input makes read panic and that every op it
// returns is valid.
func fuzzRead(f *testing.F, read func(io.Reader) ([]history.Op, error)) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, op := range ops {
			if err := op.Validate(); err != nil {
				t.Fatalf("op %v: %v", op, err)
			}
		}
	})
}

// FuzzReadTxnEDN: no input makes the transactional reader panic or return
// a history that fails validation; its bounds hold.
func FuzzReadTxnEDN(f *testing.F) {
	for _, name := range []string{"txn-append.edn", "txn-register.edn", "cas-ok.edn"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{:type :ok, :f :txn, :value [[:r :x [1 2 3]] [:append :x 4]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadTxnEDN(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := h.Validate(); err != nil {
			t.Fatalf("invalid history returned: %v", err)
		}
		for _, tx := range h.Txns {
			if len(tx.Mops) > MaxTxnMops {
				t.Fatalf("%d mops", len(tx.Mops))
			}
		}
	})
}
