package elle

import (
	"slices"
	"strings"
	"testing"

	"faultline/workloads/jepsen"
)

func ednOpts(t *testing.T, o Options, lines ...string) *Result {
	t.Helper()
	h, err := jepsen.ReadTxnEDN(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return Check(h, o)
}

// ok writes a completed transaction of process p (Elle's test shape).
func ok(p, v string) string { return "{:type :ok, :process " + p + ", :f :txn, :value " + v + "}" }

// TestAnomalies: for each anomaly a minimal history that has it, and the
// closest history that must not be flagged.
func TestAnomalies(t *testing.T) {
	ser := Options{Models: []Model{Serializable}}
	cases := []struct {
		name      string
		opts      Options
		bad, good []string
		want      string
	}{
		{"G0", ser,
			[]string{ok("0", "[[:append :x 1] [:append :y 1]]"), ok("1", "[[:append :x 2] [:append :y 2]]"), ok("2", "[[:r :x [1 2]] [:r :y [2 1]]]")},
			[]string{ok("0", "[[:append :x 1] [:append :y 1]]"), ok("1", "[[:append :x 2] [:append :y 2]]"), ok("2", "[[:r :x [1 2]] [:r :y [1 2]]]")},
			"G0"},
		{"G1c", ser,
			[]string{ok("0", "[[:append :x 1] [:r :y [1]]]"), ok("1", "[[:append :x 2] [:append :y 1]]"), ok("2", "[[:r :x [1 2]]]")},
			[]string{ok("0", "[[:append :x 1] [:r :y []]]"), ok("1", "[[:append :x 2] [:append :y 1]]"), ok("2", "[[:r :x [1 2]]]")},
			"G1c"},
		{"G-single", ser,
			[]string{ok("0", "[[:append :x 1] [:append :y 1]]"), ok("1", "[[:append :x 2] [:r :y []]]"), ok("2", "[[:r :x [1 2]]]")},
			[]string{ok("0", "[[:append :x 1] [:append :y 1]]"), ok("1", "[[:append :x 2] [:r :y [1]]]"), ok("2", "[[:r :x [1 2]]]")},
			"G-single-item"},
		{"G2-item write skew", ser,
			[]string{ok("0", "[[:append :x 1] [:r :y []]]"), ok("1", "[[:append :y 1] [:r :x []]]")},
			[]string{ok("0", "[[:append :x 1] [:r :y []]]"), ok("1", "[[:append :y 1] [:r :x [1]]]")},
			"G2-item"},
		{"G1a", ser,
			[]string{"{:type :fail, :process 0, :f :txn, :value [[:append :x 1]]}", ok("1", "[[:r :x [1]]]"), ok("2", "[[:append :x 2]]")},
			[]string{"{:type :fail, :process 0, :f :txn, :value [[:append :x 1]]}", ok("1", "[[:r :x [2]]]"), ok("2", "[[:append :x 2]]")},
			"G1a"},
		{"G1b", Options{Anomalies: []string{"G1"}},
			[]string{ok("0", "[[:append :x 1] [:append :x 2]]"), ok("1", "[[:r :x [1]]]")},
			[]string{ok("0", "[[:append :x 1] [:append :x 2]]"), ok("1", "[[:r :x [1 2]]]")},
			"G1b"},
		{"internal", ser,
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1]] [:append :x 2] [:r :x [1]]]")},
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1]] [:append :x 2] [:r :x [1 2]]]")},
			"internal"},
		{"future-read", ser,
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1 2]] [:append :x 2]]")},
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1]] [:append :x 2]]")},
			"future-read"},
		{"lost-update", Options{Anomalies: []string{"lost-update"}},
			[]string{ok("0", "[[:append :x 0]]"), ok("1", "[[:r :x [0]] [:append :x 1]]"), ok("2", "[[:r :x [0]] [:append :x 2]]")},
			[]string{ok("0", "[[:append :x 0]]"), ok("1", "[[:r :x [0]] [:append :x 1]]"), ok("2", "[[:r :x [0 1]] [:append :x 2]]")},
			"lost-update"},
		{"duplicate-elements", ser,
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1 1]]]")},
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1]]]")},
			"duplicate-elements"},
		{"incompatible-order", ser,
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:append :x 2]]"), ok("2", "[[:r :x [1 2]]]"), ok("3", "[[:r :x [2 1]]]")},
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:append :x 2]]"), ok("2", "[[:r :x [1 2]]]"), ok("3", "[[:r :x [1]]]")},
			"incompatible-order"},
		{"never-written", ser,
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1 7]]]")},
			[]string{ok("0", "[[:append :x 1]]"), ok("1", "[[:r :x [1]]]")},
			"never-written"},
		{"G-single-realtime (stale read)", Options{},
			[]string{"{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}", "{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}",
				"{:type :invoke, :process 1, :f :txn, :value [[:r :x nil]]}", "{:type :ok, :process 1, :f :txn, :value [[:r :x []]]}"},
			[]string{"{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}", "{:type :invoke, :process 1, :f :txn, :value [[:r :x nil]]}",
				"{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}", "{:type :ok, :process 1, :f :txn, :value [[:r :x []]]}"},
			"G-single-item-realtime"},
		// A lost append: acknowledged, never read, although a read of the
		// key began after it completed. It needs no name of its own: the
		// reader's anti-dependency on it closes a real-time cycle.
		{"lost append", Options{},
			[]string{"{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}", "{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}",
				"{:type :invoke, :process 1, :f :txn, :value [[:append :x 2]]}", "{:type :ok, :process 1, :f :txn, :value [[:append :x 2]]}",
				"{:type :invoke, :process 2, :f :txn, :value [[:r :x nil]]}", "{:type :ok, :process 2, :f :txn, :value [[:r :x [1]]]}"},
			[]string{"{:type :invoke, :process 0, :f :txn, :value [[:append :x 1]]}", "{:type :ok, :process 0, :f :txn, :value [[:append :x 1]]}",
				"{:type :invoke, :process 1, :f :txn, :value [[:append :x 2]]}", "{:type :invoke, :process 2, :f :txn, :value [[:r :x nil]]}",
				"{:type :ok, :process 1, :f :txn, :value [[:append :x 2]]}", "{:type :ok, :process 2, :f :txn, :value [[:r :x [1]]]}"},
			"G-single-item-realtime"},
		{"rw G1c", ser,
			[]string{ok("0", "[[:w :x 1] [:r :y 1]]"), ok("1", "[[:w :y 1] [:r :x 1]]")},
			[]string{ok("0", "[[:w :x 1] [:r :y nil]]"), ok("1", "[[:w :y 1] [:r :x 1]]")},
			"G1c"},
		// Only the assumption that x is linearizable orders write 1 before
		// write 2 (real time), so that T3's read of 1 misses 2 although it
		// saw T2's y (a read of 1 after T2 completed would be a cycle of
		// versions instead).
		{"rw G-single with linearizable keys", Options{Models: []Model{Serializable}, LinearizableKeys: true},
			[]string{"{:type :invoke, :process 0, :f :txn, :value [[:w :x 1]]}", "{:type :ok, :process 0, :f :txn, :value [[:w :x 1]]}",
				"{:type :invoke, :process 1, :f :txn, :value [[:w :x 2] [:w :y 1]]}", "{:type :invoke, :process 2, :f :txn, :value [[:r :y nil] [:r :x nil]]}",
				"{:type :ok, :process 1, :f :txn, :value [[:w :x 2] [:w :y 1]]}", "{:type :ok, :process 2, :f :txn, :value [[:r :y 1] [:r :x 1]]}"},
			[]string{"{:type :invoke, :process 0, :f :txn, :value [[:w :x 1]]}", "{:type :ok, :process 0, :f :txn, :value [[:w :x 1]]}",
				"{:type :invoke, :process 1, :f :txn, :value [[:w :x 2] [:w :y 1]]}", "{:type :invoke, :process 2, :f :txn, :value [[:r :y nil] [:r :x nil]]}",
				"{:type :ok, :process 1, :f :txn, :value [[:w :x 2] [:w :y 1]]}", "{:type :ok, :process 2, :f :txn, :value [[:r :y 1] [:r :x 2]]}"},
			"G-single-item"},
		{"rw G2-item", ser,
			[]string{ok("0", "[[:r :x nil] [:w :y 1]]"), ok("1", "[[:r :y nil] [:w :x 1]]")},
			[]string{ok("0", "[[:r :x nil] [:w :y 1]]"), ok("1", "[[:r :y 1] [:w :x 1]]")},
			"G2-item"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := ednOpts(t, tc.opts, tc.bad...)
			if bad.Verdict != Invalid || !slices.Contains(bad.AnomalyTypes, tc.want) {
				t.Errorf("history with %s: %s\n%s", tc.want, bad.Summary(), bad.Explain())
			}
			good := ednOpts(t, tc.opts, tc.good...)
			if good.Verdict != Valid {
				t.Errorf("near miss flagged: %s\n%s", good.Summary(), good.Explain())
			}
		})
	}
}

// TestCyclicVersions: writes-follow-reads orders 1 before 2 in one
// transaction and 2 before 1 in another; the assumption is dropped and
// the cycle reported.
func TestCyclicVersions(t *testing.T) {
	res := ednOpts(t, Options{Models: []Model{ReadUncommitted}, WFRKeys: true},
		ok("0", "[[:w :x 1]]"), ok("1", "[[:w :x 2]]"),
		ok("2", "[[:r :x 1] [:w :x 2]]"), ok("3", "[[:r :x 2] [:w :x 1]]"))
	if !slices.Contains(res.AnomalyTypes, "cyclic-versions") || res.Verdict != Invalid {
		t.Fatalf("%s\n%s", res.Summary(), res.Explain())
	}
}

// TestSerialHistoriesValid: histories of a simulated serial executor have
// no anomaly, list-append and rw-register, under every model.
func TestSerialHistoriesValid(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		for _, reg := range []bool{false, true} {
			h := genSerial(seed, genConfig{txns: 2000, procs: 5, keys: 4, maxWrites: 8, maxLen: 4, register: reg})
			res := Check(h, Options{Models: []Model{StrictSerializable, StrongSessionSerializable},
				WFRKeys: reg, SequentialKeys: reg, LinearizableKeys: reg})
			if res.Verdict != Valid {
				t.Fatalf("seed %d register %v: %s\n%s", seed, reg, res.Summary(), res.Explain())
			}
		}
	}
}

// TestCheck10k: the benchmark's 10k-transaction history, as a test: valid,
// with the order edges strict serializability needs.
func TestCheck10k(t *testing.T) {
	h := genSerial(1, genConfig{txns: 10_000, procs: 10, keys: 8, maxWrites: 16, maxLen: 4})
	res := Check(h, Options{})
	if res.Verdict != Valid || res.Stats.Edges <= res.Stats.DataEdges {
		t.Fatalf("%s (%d edges, %d data)", res.Summary(), res.Stats.Edges, res.Stats.DataEdges)
	}
}

// TestDeterministic: the same history gives the same explanation.
func TestDeterministic(t *testing.T) {
	h := readCorpus(t, "huge-scc.edn")
	a, b := Check(h, Options{}), Check(h, Options{})
	if a.Explain() != b.Explain() || a.Summary()[:40] != b.Summary()[:40] {
		t.Fatal("two checks of one history differ")
	}
}
