package jepsen

import (
	"bytes"
	"os"
	"testing"
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
func FuzzReadEDN(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := ReadEDN(bytes.NewReader(data))
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

// FuzzReadLog: no input panics, and every op returned is valid.
func FuzzReadLog(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := ReadLog(bytes.NewReader(data))
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
