package reports

import (
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// faultedRun writes a synthetic run whose schedule had two faults: a kill
// that took effect late (retried) and a partition that never took effect,
// so its faults check is unknown.
func faultedRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	synthRun(t, dir, synthOptions{seed: 5, ops: 2000, seconds: 10, verdict: checker.Valid})
	r, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	r.Faults = []results.Fault{
		{Entry: "faults.schedule[1]", Fault: "partition", Desc: "partition leader", IntendedStartNS: 4e9, IntendedStopNS: 7e9,
			StartNS: results.NotApplied, StopNS: results.NotApplied, Attempts: 11, Error: "link n0->n1: connection refused"},
		{Entry: "faults.schedule[0]", Fault: "kill", Desc: "kill n1", Nodes: []string{"n1"}, IntendedStartNS: 2e9, IntendedStopNS: 3e9,
			StartNS: 2.2e9, StopNS: 3e9, Attempts: 3, Error: "kill n1: connection refused"},
	}
	r.Checks = append(r.Checks, results.CheckFaults(r.Faults))
	r.Verdict = results.Merge(r.Checks)
	if err := results.Write(dir, r); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFaultWindowsShown: the report names the windows that did not happen
// in a banner, lists every fault's intended and actual window, and gives
// the charts the intended windows to outline.
func TestFaultWindowsShown(t *testing.T) {
	dir := faultedRun(t)
	d, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Header.Verdict != checker.Unknown || !strings.HasPrefix(d.Header.FaultBanner, "Not valid as tested: 1 of 2 fault window(s)") ||
		!strings.Contains(d.Header.FaultBanner, "faults.schedule[1] partition at 4.000s–7.000s: never took effect") {
		t.Fatalf("verdict %v, banner %q", d.Header.Verdict, d.Header.FaultBanner)
	}
	if len(d.Faults) != 2 || d.Faults[0].Entry != "faults.schedule[0]" || !d.Faults[0].Applied || d.Faults[0].Start != 2.2 ||
		d.Faults[0].Problem != "" || d.Faults[1].Applied || d.Faults[1].Problem == "" {
		t.Fatalf("fault rows %+v", d.Faults)
	}
	if len(d.Intended) != 2 || d.Intended[0].Start != 2 || d.Intended[1].Stop != 7 {
		t.Fatalf("intended windows %+v", d.Intended)
	}
	p, err := WriteReport(dir)
	b := readWritten(t, p, err)
	for _, want := range []string{`id="fault-banner"`, "Not valid as tested", `id="fault-windows"`, "never took effect", "2.200–3.000", "4.000–7.000"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The page draws with the intended windows outlined.
	renderCheck(t, chromiumPath(t), p, 5)
}
