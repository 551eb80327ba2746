package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline/workloads/checker/elle"
	"faultline/workloads/results"
)

// txnConfig is the shipped list-append config on the memory backend.
const txnConfig = "../workloads/configs/memory-list-append.yaml"

// txnRun runs the shipped config with the memory node's txn mode and the
// workload kind given, and returns bench's exit status, its output and
// the elle check of results.json.
func txnRun(t *testing.T, mode, kind string) (int, string, *elle.Result) {
	t.Helper()
	src, err := os.ReadFile(txnConfig)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(src), "txn: strict ", "txn: "+mode+" ", 1)
	body = strings.Replace(body, "kind: list-append", "kind: "+kind, 1)
	body = strings.Replace(body, "duration: 3s", "duration: 2s", 1)
	if !strings.Contains(body, "txn: "+mode) || !strings.Contains(body, "kind: "+kind) {
		t.Fatalf("the shipped config %s no longer has the txn option and kind this test sets:\n%s", txnConfig, src)
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "txn.yaml", body)
	code, out := runBench(t, "-config", cfg, "-out", filepath.Join(dir, "results"))
	res, err := results.ReadFile(filepath.Join(resultsDir(t, out), "results.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, c := range res.Checks {
		if c.Name == "elle" && c.Txn != nil {
			return code, out, c.Txn
		}
	}
	t.Fatalf("results.json has no elle check with its result: %+v\n%s", res.Checks, out)
	return 0, "", nil
}

// TestTxnStrictIsValid: the memory node applies every transaction
// atomically under its lock, so elle finds the list-append and
// rw-register runs strict-serializable (exit 0), having checked some
// transactions.
func TestTxnStrictIsValid(t *testing.T) {
	for _, kind := range []string{"list-append", "rw-register"} {
		t.Run(kind, func(t *testing.T) {
			code, out, r := txnRun(t, "strict", kind)
			if code != exitValid || r.Verdict != elle.Valid || len(r.Anomalies) > 0 {
				t.Fatalf("exit %d, elle %s, anomalies %v; want valid:\n%s", code, r.Verdict, r.AnomalyTypes, out)
			}
			if r.Workload != kind || r.Txns < 100 || len(r.Models) != 1 || r.Models[0] != elle.StrictSerializable {
				t.Fatalf("elle checked %d %s txns against %v; want >= 100 %s txns against strict-serializable", r.Txns, r.Workload, r.Models, kind)
			}
		})
	}
}

// TestTxnStaleReadCaught is the isolation checker's self-test: with txn:
// stale-read the memory node serves read-only transactions from a
// snapshot that lags up to 32 writing transactions (memory.TxnStaleRead),
// a consistent prefix of the serial order. A read invoked after an append
// completed misses it: the reader precedes the appender by rw and follows
// it in real time, so elle must name G-single-item-realtime; every cycle
// it finds needs real time, and the history rules out strict
// serializability and nothing weaker (it stays serializable).
func TestTxnStaleReadCaught(t *testing.T) {
	code, out, r := txnRun(t, "stale-read", "list-append")
	if code != exitInvalid || r.Verdict != elle.Invalid {
		t.Fatalf("exit %d, elle %s; want invalid:\n%s", code, r.Verdict, out)
	}
	if !strings.Contains(" "+strings.Join(r.AnomalyTypes, " ")+" ", " G-single-item-realtime ") {
		t.Fatalf("anomalies %v, want G-single-item-realtime among them:\n%s", r.AnomalyTypes, out)
	}
	for _, a := range append(append([]string(nil), r.AnomalyTypes...), r.AlsoFound...) {
		if !strings.HasSuffix(a, "-realtime") {
			t.Errorf("anomaly %s needs no real time: a stale snapshot read cannot make it", a)
		}
	}
	if len(r.Not) != 1 || r.Not[0] != elle.StrictSerializable || len(r.AlsoNot) > 0 {
		t.Errorf("rules out %v (and %v), want strict-serializable only", r.Not, r.AlsoNot)
	}
	for _, a := range r.Anomalies {
		if a.Type == "G-single-item-realtime" {
			rels := ""
			for _, s := range a.Cycle.Steps {
				rels += s.Rel.String() + " "
			}
			if strings.Count(rels, "rw") != 1 || !strings.Contains(rels, "realtime") {
				t.Errorf("G-single-item-realtime cycle with edges %s, want one rw and a realtime", rels)
			}
			return
		}
	}
	t.Fatalf("no explained G-single-item-realtime anomaly with its cycle: %+v", r.Anomalies)
}

// TestTxnRefusedBeforeStart: a transactional workload on a backend that
// does not declare transactions (backend.PowerTxn) is refused when the
// config is checked, with the file and line, before any cluster starts.
func TestTxnRefusedBeforeStart(t *testing.T) {
	dir := t.TempDir()
	out := runBadConfig(t, dir, "txn-raftkv.yaml", badConfig{
		body: "backend: {name: raftkv, nodes: 3, mode: inprocess}\nworkload:\n  kind: list-append\n  duration: 2s\n",
		want: `txn-raftkv.yaml:3: workload.kind: transactional workload "list-append" needs a backend whose clients run transactions (the "txn" power`,
	})
	if strings.Contains(out, "starting raftkv") {
		t.Fatalf("a cluster started before the refusal:\n%s", out)
	}
}
