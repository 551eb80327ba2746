package jepsen

import (
	"io"
	"os"
	"strings"
	"testing"

	"faultline/workloads/history"
)

func readFile(t *testing.T, name string, read func(io.Reader) ([]history.Op, error)) []history.Op {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ops, err := read(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, op := range ops {
		if err := op.Validate(); err != nil {
			t.Fatalf("%s: op %v: %v", name, op, err)
		}
	}
	return ops
}

// TestRead reads each format's fixture into the expected ops.
func TestRead(t *testing.T) {
	for _, tc := range []struct {
		file string
		read func(io.Reader) ([]history.Op, error)
		want []string
	}{
		{"cas-ok.edn", ReadEDN, []string{
			`c0 write "" "1" [100,200] ok`,
			`c1 cas "" "1"->"2" [300,400] ok`,
			`c0 read "" [350,450] ok -> "2"`,
			`c1 cas "" "5"->"3" [500,600] fail`,
			`c2 write "" "4" [700,800] info`,
		}},
		{"jepsen.log", ReadLog, []string{
			`c0 write "" "3" [0,1] ok`,
			`c1 cas "" "3"->"4" [2,3] ok`,
			`c2 read "" [4,5] ok -> "4"`,
			`c3 read "7" [6,6] info`,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			ops := readFile(t, tc.file, tc.read)
			if len(ops) != len(tc.want) {
				t.Fatalf("got %d ops %v, want %d", len(ops), ops, len(tc.want))
			}
			for i := range tc.want {
				if got := ops[i].String(); got != tc.want[i] {
					t.Errorf("op %d = %s, want %s", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestReadEDNTaggedVector(t *testing.T) {
	ops := readFile(t, "stale.edn", ReadEDN)
	if len(ops) != 3 || ops[2].Kind != history.Read || ops[2].Output != "1" {
		t.Fatalf("ops %v", ops)
	}
}

func TestMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"double invoke": "{:type :invoke, :f :read, :process 0}\n{:type :invoke, :f :read, :process 0}",
		"orphan ok":     "{:type :ok, :f :read, :process 0, :value 1}",
		"bad f":         "{:type :invoke, :f :scan, :process 0}\n{:type :ok, :f :scan, :process 0}",
		"not a map":     "42",
		"bad cas":       "{:type :invoke, :f :cas, :process 0, :value 3}\n{:type :ok, :f :cas, :process 0, :value 3}",
	} {
		if _, err := ReadEDN(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestReadLogLayouts reads the same history written with tabs between the
// fields (Jepsen's layout) and with runs of spaces (and a mix of both).
func TestReadLogLayouts(t *testing.T) {
	want := []string{
		`c0 write "" "3" [0,1] ok`,
		`c1 cas "" "3"->"4" [2,3] ok`,
		`c2 read "" [4,5] ok -> "4"`,
		`c3 read "" [6,6] info`,
	}
	for _, name := range []string{"tabs.log", "spaces.log"} {
		t.Run(name, func(t *testing.T) {
			ops := readFile(t, name, ReadLog)
			var got []string
			for _, op := range ops {
				got = append(got, op.String())
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("ops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestReadLogNoOps: a log without operation lines is an empty history, not
// an error; the checker says there is nothing to check.
func TestReadLogNoOps(t *testing.T) {
	for name, in := range map[string]string{
		"empty":        "",
		"only logging": "INFO  jepsen.core - Running test\nINFO  jepsen.util - :nemesis\t:info\t:start\tnil\n",
	} {
		ops, err := ReadLog(strings.NewReader(in))
		if err != nil || len(ops) != 0 {
			t.Errorf("%s: %d ops, err %v; want none and no error", name, len(ops), err)
		}
	}
}

// TestReadTxnEDN reads the transactional fixtures and refuses malformed
// transactions with errors that say where and what.
func TestReadTxnEDN(t *testing.T) {
	f, err := os.Open("testdata/txn-append.edn")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := ReadTxnEDN(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Txns) != 4 || h.Kind() != "list-append" || h.TxnString(&h.Txns[1]) != "[[:r :x [1]] [:r :y []]]" {
		t.Fatalf("got %d txns, kind %s, txn 1 %s", len(h.Txns), h.Kind(), h.TxnString(&h.Txns[1]))
	}
	for in, want := range map[string]string{
		`{:type :ok, :process 0, :f :txn, :value [[:append :x :a]]}`:          "not an integer",
		`{:type :ok, :process 0, :f :txn, :value [[:frob :x 1]]}`:             "unknown micro-op :frob",
		`{:type :ok, :process 0, :f :txn, :value [[:append :x 1] [:w :y 2]]}`: "mixes list appends and register writes",
		`{:type :ok, :process 0, :f :txn, :value 3}`:                          "not a vector of micro-ops",
		`{:type :ok, :process 0, :f :read, :value [[:r :x nil]]}`:             "want :txn",
		`{:type :done, :process 0, :f :txn, :value []}`:                       "unknown :type :done",
	} {
		_, err := ReadTxnEDN(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", in, err, want)
		}
	}
}
