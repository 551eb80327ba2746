package raftkv

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/workloads/checker"
)

// soak runs the long version of the storage findings: issue #21's 100
// power-loss cycles (go test -run PowerLoss -soak ./system/backend/raftkv);
// -short keeps the short one.
var soak = flag.Bool("soak", false, "run the long storage fault soaks (100 power-loss cycles)")

// powerLossCycles is how many power losses the fsync-on finding asks for.
func powerLossCycles() int {
	if *soak && !testing.Short() {
		return 100
	}
	return 10
}

// TestPowerLossFsyncOnLosesNothing: raftkv with fsync on goes through
// power-loss cycles of random nodes (every un-synced write dropped, or
// torn at a sector) under the append workload and loses no acknowledged
// append: the append check and the run are valid, and every cycle took
// effect. (10 cycles; 100 with -soak.)
func TestPowerLossFsyncOnLosesNothing(t *testing.T) {
	cycles := powerLossCycles()
	every := 1200 * time.Millisecond // a restart takes a while on a loaded machine
	// Two entries take turns: un-synced writes dropped, then torn at a
	// sector; each restarts its node at once.
	sched := fmt.Sprintf(`    - {fault: power-loss, target: random, every: %v, start: 200ms}
    - {fault: power-loss, target: random, mode: tear-last-sector, every: %v, start: %v}
`, 2*every, 2*every, 200*time.Millisecond+every)
	span := time.Duration(cycles)*every + 200*time.Millisecond
	r := storageRun{fsync: true, duration: (span + 2*time.Second).String(), recovery: "2s", sched: sched}
	res, _ := r.run(context.Background(), t)
	if res.Verdict != checker.Valid {
		t.Fatalf("verdict %v, checks %+v, faults %+v", res.Verdict, res.Checks, res.Faults)
	}
	if c := check(t, res, "append"); c.Details[checker.LostAppend.String()] != 0 {
		t.Fatalf("append check %+v", c)
	}
	if n := faultsOf(res, "power-loss"); n < cycles {
		t.Fatalf("%d power losses took effect, want >= %d: %+v", n, cycles, res.Faults)
	}
}

// TestPowerLossFsyncOffLosesAcknowledged: with fsync off, a power loss of
// a majority (n0, n1) while the third node is down drops appends the
// cluster acknowledged: the two elect a leader among themselves on their
// empty logs and overwrite the third's when it comes back. The append
// checker says which: the run is invalid with lost-append anomalies
// naming the lost tokens.
func TestPowerLossFsyncOffLosesAcknowledged(t *testing.T) {
	// The times leave a loaded machine room: appends acknowledged before
	// 2.5s, and 3s for n0 and n1 to commit their own after the loss.
	r := storageRun{fsync: false, duration: "8s", recovery: "2s", sched: `    - {fault: kill, nodes: [n2], at: 2500ms, for: 3s}
    - {fault: power-loss, nodes: [n0, n1], at: 2700ms}
`}
	res, _ := r.run(context.Background(), t)
	// The loss shows as an acknowledged append no later read saw
	// (lost-append, stale-read) or as reads that disagree on a key's
	// prefix (incomparable-reads: one saw appends the other lost).
	c := check(t, res, "append")
	kinds := []checker.AnomalyKind{checker.LostAppend, checker.StaleRead, checker.IncomparableReads}
	var lost int64
	for _, k := range kinds {
		lost += c.Details[k.String()]
	}
	if res.Verdict != checker.Invalid || c.Verdict != checker.Invalid || lost == 0 {
		t.Fatalf("verdict %v, append check %+v; want invalid with lost appends", res.Verdict, c)
	}
	// Each anomaly names the key and the appends it concerns.
	token := regexp.MustCompile(`c[0-9]+\.s[0-9]+;`)
	var named []string
	for _, a := range c.Anomalies {
		if m := token.FindAllString(a.Text, -1); slices.Contains(kinds, a.Kind) && m != nil && a.Key != "" {
			named = append(named, fmt.Sprintf("%s %s: %v", a.Kind, a.Key, m))
		}
	}
	if len(named) == 0 {
		t.Fatalf("no anomaly names the appends it lost: %+v", c.Anomalies)
	}
	t.Logf("lost appends named: %v", named)
	if faultsOf(res, "power-loss") != 1 {
		t.Fatalf("faults %+v", res.Faults)
	}
}

// TestStorageErrorsNeverAcknowledgeUnpersisted: a full disk on every node
// and EIO on the fsyncs of a node's log make the nodes stop with the error
// in their logs, not acknowledge what they could not persist: a power
// loss of every node afterwards (fsync on, un-synced writes dropped)
// loses no acknowledged append, and the nodes serve again once the
// windows end (a valid run).
func TestStorageErrorsNeverAcknowledgeUnpersisted(t *testing.T) {
	r := storageRun{fsync: true, duration: "8s", recovery: "3s", sched: `    - {fault: io-error, nodes: [n1], ops: [fsync], files: "wal-*", at: 500ms, for: 1s}
    - {fault: disk-full, target: all, at: 2s, for: 1s}
    - {fault: power-loss, target: all, at: 4s}
`}
	res, dir := r.run(context.Background(), t)
	if res.Verdict != checker.Valid {
		t.Fatalf("verdict %v, checks %+v", res.Verdict, res.Checks)
	}
	for _, k := range []string{"disk-full", "io-error", "power-loss"} {
		if faultsOf(res, k) != 1 {
			t.Fatalf("%s did not take effect: %+v", k, res.Faults)
		}
	}
	logs := nodeLogs(t, dir)
	for _, want := range []string{"no space left on device", "input/output error"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no node log says %q", want)
		}
	}
}

// TestNoStorageFaultsMountsNothing: a cluster started without
// Spec.StorageFaults has no faultfs mount, and one started with it has
// one per node until Stop.
func TestNoStorageFaultsMountsNothing(t *testing.T) {
	for _, storage := range []bool{false, true} {
		spec := backend.Spec{Nodes: 3, Mode: backend.ModeProcess, Dir: t.TempDir(), Exec: selfExec(t), Fsync: true, StorageFaults: storage}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		c, err := Backend{}.Start(ctx, spec)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if storage {
			want = 3
		}
		if m := faultfsMounts(t, spec.Dir); len(m) != want {
			c.Stop(context.Background())
			t.Fatalf("storage faults %v: mounts %v, want %d", storage, m, want)
		}
		if err := c.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if m := faultfsMounts(t, spec.Dir); len(m) != 0 {
			t.Fatalf("mounts after Stop: %v", m)
		}
	}
}

// TestStorageFaultsRefusedInProcess: in-process nodes take no storage
// faults: the backend does not declare the power, and a Start that asks
// for them fails saying why.
func TestStorageFaultsRefusedInProcess(t *testing.T) {
	spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir(), StorageFaults: true}
	for _, p := range (Backend{}).Powers(spec) {
		if p == backend.PowerStorage {
			t.Fatalf("declares %v in process", p)
		}
	}
	c, err := Backend{}.Start(context.Background(), spec)
	if err == nil {
		c.Stop(context.Background())
		t.Fatal("started in-process nodes with storage faults")
	}
	if !strings.Contains(err.Error(), "need mode process") {
		t.Fatalf("error %v", err)
	}
}
