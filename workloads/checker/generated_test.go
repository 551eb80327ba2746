package checker

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"faultline/workloads/history"
)

// bigRuns reports whether the opt-in million-op sizes should run
// (FAULTLINE_BIG=1); they take a while under -race.
func bigRuns() bool { return os.Getenv("FAULTLINE_BIG") != "" }

// TestGeneratedHistories checks histories of a correct store with 16 to 64
// clients on one key: valid, agreeing with porcupine when it decides; and
// each injected anomaly is caught, alone, with an explanation about the
// injected op.
func TestGeneratedHistories(t *testing.T) {
	seed := testSeed(t)
	sizes := []struct{ clients, ops int }{{16, 10_000}, {64, 10_000}, {16, 100_000}, {64, 100_000}}
	if testing.Short() {
		sizes = sizes[:2]
	}
	if bigRuns() {
		sizes = append(sizes, struct{ clients, ops int }{16, 1_000_000}, struct{ clients, ops int }{64, 1_000_000})
	}
	injections := []struct {
		name   string
		inject func(testing.TB, []history.Op) ([]history.Op, int)
		kind   AnomalyKind
	}{
		{"stale read", injectStaleRead, StaleRead},
		{"missed completed append", injectMissedAppend, StaleRead},
		{"lost append", injectLostAppend, LostAppend},
		{"duplicate", injectDuplicate, DuplicateToken},
		{"reordered appends", injectReorder, ReorderedAppends},
		{"reads disagree", injectIncomparable, IncomparableReads},
		{"read from the future", injectFutureRead, FutureRead},
	}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dclients-%dops", sz.clients, sz.ops), func(t *testing.T) {
			ops := simulate(simConfig{seed: seed, workload: appendWorkload, clients: sz.clients, ops: sz.ops, readFrac: 0.5, infoFrac: 0.01, failFrac: 0.01})
			res, err := CheckAppend(ops, AppendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != Valid || res.Ops == 0 || res.Keys != 1 {
				t.Fatalf("valid history: %s\n%s", res.Summary(), dump(res))
			}
			t.Logf("valid: %s", res.Summary())
			if sz.ops <= 10_000 {
				pr, err := CheckKV(ops, PorcupineOptions{KeyTimeout: 2 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				if pr.Verdict != Unknown && pr.Verdict != res.Verdict {
					t.Fatalf("porcupine says %v", pr.Verdict)
				}
				t.Logf("porcupine: %s", pr.Summary())
			}
			for _, inj := range injections {
				t.Run(inj.name, func(t *testing.T) {
					bad, target := inj.inject(t, ops)
					res, err := CheckAppend(bad, AppendOptions{})
					if err != nil {
						t.Fatal(err)
					}
					if res.Verdict != Invalid {
						t.Fatalf("not caught: %s", res.Summary())
					}
					if len(res.Counts) != 1 || res.Counts[inj.kind] != 1 {
						t.Fatalf("counts %v, want exactly one %v\n%s", res.Counts, inj.kind, dump(res))
					}
					a := res.Anomalies[0]
					if a.Kind != inj.kind || !slices.ContainsFunc(a.Steps, func(s Step) bool { return s.Op == target }) {
						t.Fatalf("explanation is not about op %d (%v):\n%s", target, bad[target], a)
					}
					t.Logf("%s", a.Text)
				})
			}
		})
	}
}

// TestAppendAgreesWithPorcupine cross-checks verdicts on many small random
// histories, valid and corrupted: they must agree whenever porcupine decides.
func TestAppendAgreesWithPorcupine(t *testing.T) {
	seed := testSeed(t)
	n := 3000
	if testing.Short() {
		n = 500
	}
	r := newRand(seed)
	decided, invalid := 0, 0
	for i := range n {
		cfg := simConfig{seed: seed + uint64(i), workload: appendWorkload, clients: 1 + r.IntN(5), ops: 2 + r.IntN(30), keys: 1 + r.IntN(2), readFrac: 0.5, infoFrac: 0.1, failFrac: 0.05}
		ops := simulate(cfg)
		what := "valid"
		if r.IntN(3) > 0 {
			what, ops = corrupt(ops, r)
		}
		ar, err := CheckAppend(ops, AppendOptions{})
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, what, err)
		}
		if what == "valid" && ar.Verdict != Valid {
			t.Fatalf("case %d: generated history judged %s\n%v", i, dump(ar), ops)
		}
		pr, err := CheckKV(ops, PorcupineOptions{KeyTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if pr.Verdict == Unknown {
			continue
		}
		decided++
		if ar.Verdict != pr.Verdict {
			t.Fatalf("case %d (%s): append checker %v, porcupine %v\n%s\nhistory: %v", i, what, ar.Verdict, pr.Verdict, dump(ar), ops)
		}
		if ar.Verdict == Invalid {
			invalid++
		}
	}
	t.Logf("%d of %d decided by porcupine, %d invalid", decided, n, invalid)
	if decided < n*9/10 || invalid < decided/5 || invalid > decided*4/5 {
		t.Fatalf("weak cross-check: %d of %d decided, %d invalid", decided, n, invalid)
	}
}
