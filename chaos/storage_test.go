package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
)

// storageFake is a fakeCluster with storage powers: it records
// LosePower, StorageFault and heal calls among the others.
type storageFake struct{ *fakeCluster }

func (c storageFake) LosePower(_ context.Context, node string, mode backend.LossMode) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.down[node] {
		return "", fmt.Errorf("fake: power loss of running %s", node)
	}
	c.calls = append(c.calls, fmt.Sprintf("lose %s %s", node, mode))
	return "kept 0 of 3", nil
}

func (c storageFake) StorageFault(_ context.Context, node string, f backend.StorageFault) (backend.StorageWindow, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprintf("%s %s", f.Kind, node))
	return backend.StorageWindow{Desc: "did " + string(f.Kind), Heal: func(context.Context) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.calls = append(c.calls, fmt.Sprintf("heal %s %s", f.Kind, node))
		return nil
	}}, nil
}

func TestParseStorageKinds(t *testing.T) {
	s, err := parseYAML(t, `
schedule:
  - {fault: power-loss, nodes: [n1], mode: tear-last-sector, at: 1s}
  - {fault: power-loss, target: majority, at: 2s, for: 500ms}
  - {fault: disk-full, budget: 4096, at: 1s, for: 1s}
  - {fault: io-error, ops: [read, fsync], files: "wal-*", target: leader, at: 1s, for: 1s}
  - {fault: slow-disk, delay: 20ms, jitter: 5ms, distribution: normal, writes: true, at: 1s, for: 1s}
  - {fault: corrupt, files: "wal-*", offset: 100, length: 8, bits: 3, at: 1s}
  - {fault: corrupt, on_read: true, at: 1s, for: 2s}
`)
	if err != nil {
		t.Fatal(err)
	}
	e := s.Entries
	if e[0].Loss != backend.LossTearLastSector || e[0].For != 0 || e[0].Target != TargetNodes || e[1].Loss != backend.LossDropUnsynced || e[1].For != 500*time.Millisecond {
		t.Errorf("power-loss: %+v / %+v", e[0], e[1])
	}
	if e[2].Storage.Kind != backend.StorageDiskFull || e[2].Storage.Budget != 4096 || e[2].Target != TargetRandom {
		t.Errorf("disk-full: %+v", e[2])
	}
	if st := e[3].Storage; !st.Read || st.Write || !st.Fsync || st.Pattern != "wal-*" || e[3].Target != TargetLeader {
		t.Errorf("io-error: %+v", e[3])
	}
	if st := e[4].Storage; st.Delay != 20*time.Millisecond || st.Jitter != 5*time.Millisecond || st.Distribution != "normal" || !st.Writes {
		t.Errorf("slow-disk: %+v", st)
	}
	if st := e[5].Storage; st.Offset != 100 || st.Length != 8 || st.Bits != 3 || st.OnRead || e[5].For != 0 {
		t.Errorf("corrupt at rest: %+v", e[5])
	}
	if st := e[6].Storage; !st.OnRead || st.Bits != 1 || e[6].For != 2*time.Second {
		t.Errorf("corrupt on read: %+v", e[6])
	}
}

func TestParseStorageErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"{fault: power-loss, mode: vanish, at: 1s}", `unknown power loss mode "vanish", want drop-unsynced, keep-random-prefix, tear-last-write or tear-last-sector`},
		{"{fault: disk-full, at: 1s}", "missing: how long the disk-full lasts"},
		{"{fault: disk-full, budget: -1, at: 1s, for: 1s}", "want a number of bytes >= 0"},
		{"{fault: io-error, ops: [erase], at: 1s, for: 1s}", `unknown op "erase", want read, write or fsync`},
		{"{fault: io-error, files: \"[\", at: 1s, for: 1s}", "is not a pattern"},
		{"{fault: slow-disk, at: 1s, for: 1s}", "a slow-disk fault needs delay or jitter"},
		{"{fault: slow-disk, delay: 1ms, distribution: normal, at: 1s, for: 1s}", "a distribution shapes the jitter; give jitter too"},
		{"{fault: corrupt, at: 1s, for: 1s}", "a corruption at rest lasts for good; for goes with on_read: true"},
		{"{fault: corrupt, on_read: true, at: 1s}", "missing: how long reads are corrupted"},
		{"{fault: corrupt, bits: 0, at: 1s}", "0, want 1 to"},
		{"{fault: power-loss, budget: 1, at: 1s}", "unknown key for fault power-loss, want one of fault, at, every, random, start, for, target, nodes, mode"},
	} {
		_, err := parseYAML(t, "schedule:\n  - "+tc.src+"\n")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

// TestStorageRefusedWithoutPower: a backend that does not declare the
// storage power is refused every storage kind before it starts, and a
// cluster that is no StorageFaulter at Setup.
func TestStorageRefusedWithoutPower(t *testing.T) {
	n := nemesisFor(t, `
schedule:
  - {fault: power-loss, at: 1s}
  - {fault: slow-disk, delay: 1ms, at: 1s, for: 1s}
`, 10*time.Second)
	err := n.CheckDeclared(declaring{powers: []backend.Power{backend.PowerKill}}, backend.Spec{Nodes: 3, Mode: backend.ModeInProcess})
	if err == nil || !strings.Contains(err.Error(), "cannot take power-loss random: its clusters cannot fault its nodes' storage") ||
		!strings.Contains(err.Error(), "cannot take slow-disk random") {
		t.Fatalf("CheckDeclared: %v", err)
	}
	err = n.Setup(context.Background(), newFake(3))
	if err == nil || !strings.Contains(err.Error(), "it has no storage faults (backend.StorageFaulter)") {
		t.Fatalf("Setup: %v", err)
	}
	if !n.StorageFaults() {
		t.Fatal("StorageFaults false for a schedule with storage faults")
	}
	if nemesisFor(t, "[{fault: kill, at: 1s, for: 1s}]", 10*time.Second).StorageFaults() {
		t.Fatal("StorageFaults true without storage faults")
	}
}

// declaring is a backend.Declarer with the given powers.
type declaring struct{ powers []backend.Power }

func (declaring) Name() string { return "declaring" }
func (declaring) Start(context.Context, backend.Spec) (backend.Cluster, error) {
	return nil, fmt.Errorf("declaring: no start")
}
func (d declaring) Powers(backend.Spec) []backend.Power { return d.powers }
func (declaring) Nodes(s backend.Spec) []string         { return names(s.Nodes) }

// TestStorageFaultsRunAndHeal: a power loss kills its node, loses its
// power and restarts it (at once without for), a storage window heals
// its node when it ends, and each is recorded as a window whose
// description says what the backend did.
func TestStorageFaultsRunAndHeal(t *testing.T) {
	c := storageFake{newFake(3)}
	n := nemesisFor(t, `
recovery: 300ms
schedule:
  - {fault: power-loss, nodes: [n1], mode: keep-random-prefix, at: 0s}
  - {fault: io-error, nodes: [n2], ops: [write], at: 50ms, for: 1500ms}
`, 2*time.Second)
	r, stop := setUp(t, n, c)
	r.await(t, "heal")
	stop()
	calls := c.callList()
	want := []string{"kill n1", "lose n1 keep-random-prefix", "restart n1"}
	var got []string
	for _, cl := range calls {
		if strings.HasSuffix(cl, "n1") || strings.HasPrefix(cl, "lose n1") {
			got = append(got, cl)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("n1's calls %v, want %v", got, want)
	}
	if i, j := slices.Index(calls, "io-error n2"), slices.Index(calls, "heal io-error n2"); i < 0 || j < i {
		t.Errorf("io-error on n2 not begun then healed: %v", calls)
	}
	pl, ok := r.find("power-loss")
	if !ok || pl.open || !strings.Contains(pl.desc, "power-loss (keep-random-prefix) n1: n1: kept 0 of 3") {
		t.Errorf("power-loss window %+v", pl)
	}
	io, ok := r.find("io-error")
	if !ok || io.open || !strings.Contains(io.desc, "n2: did io-error") || io.stop.Sub(io.start) < 150*time.Millisecond {
		t.Errorf("io-error window %+v", io)
	}
	for _, f := range r.faultList() {
		if p := f.Problem(); p != "" {
			t.Errorf("%s: %s", f.Window(), p)
		}
	}
}
