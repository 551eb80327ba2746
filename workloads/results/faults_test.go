package results

import (
	"strings"
	"testing"

	"faultline/workloads/checker"
)

func TestFaultProblem(t *testing.T) {
	const s = int64(1e9)
	for _, tc := range []struct {
		name string
		f    Fault
		want string
	}{
		{"as scheduled", Fault{IntendedStartNS: s, IntendedStopNS: 5 * s, StartNS: s + 1e6, StopNS: 5*s + 1e6, Attempts: 1}, ""},
		{"late but most", Fault{IntendedStartNS: s, IntendedStopNS: 5 * s, StartNS: 2 * s, StopNS: 5 * s, Attempts: 4}, ""},
		{"late, under threshold", Fault{IntendedStartNS: s, IntendedStopNS: 5 * s, StartNS: 4 * s, StopNS: 5 * s, Attempts: 9, Error: "refused"},
			"in effect for only 25% of its window (from 4.000s, after 9 attempt(s); last error: refused)"},
		{"never", Fault{IntendedStartNS: s, IntendedStopNS: 5 * s, StartNS: NotApplied, StopNS: NotApplied, Attempts: 7, Error: "refused"},
			"never took effect after 7 attempt(s) (last error: refused)"},
		{"never healed", Fault{IntendedStartNS: s, IntendedStopNS: 5 * s, StartNS: s, StopNS: NotApplied, Attempts: 1, HealAttempts: 3, HealError: "x"},
			"never healed after 3 attempt(s) (last error: x)"},
		{"instant done", Fault{IntendedStartNS: s, IntendedStopNS: s, StartNS: s, StopNS: s + 5}, ""},
		{"instant never", Fault{IntendedStartNS: s, IntendedStopNS: s, StartNS: NotApplied, StopNS: NotApplied, Attempts: 2},
			"never took effect after 2 attempt(s) (last error: none)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Problem(); got != tc.want {
				t.Errorf("Problem() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMergeFaultsOnly: a valid faults check alone does not make a run
// valid (nothing about the system was checked); an unknown one makes a
// valid run unknown but never hides an invalid one.
func TestMergeFaultsOnly(t *testing.T) {
	ok := Check{Name: FaultsCheck, Verdict: checker.Valid}
	missed := Check{Name: FaultsCheck, Verdict: checker.Unknown}
	lin := func(v checker.Verdict) Check { return Check{Name: "linearizable", Verdict: v} }
	for _, tc := range []struct {
		checks []Check
		want   checker.Verdict
	}{
		{[]Check{ok}, checker.Unknown},
		{[]Check{lin(checker.Valid), ok}, checker.Valid},
		{[]Check{lin(checker.Valid), missed}, checker.Unknown},
		{[]Check{lin(checker.Invalid), missed}, checker.Invalid},
		{nil, checker.Unknown},
	} {
		if got := Merge(tc.checks); got != tc.want {
			t.Errorf("Merge(%v) = %v, want %v", tc.checks, got, tc.want)
		}
	}
}

func TestCheckFaultsNamesWindows(t *testing.T) {
	fs := []Fault{
		{Entry: "faults.schedule[0]", Fault: "kill", IntendedStartNS: 1e9, IntendedStopNS: 2e9, StartNS: 1e9, StopNS: 2e9},
		{Entry: "faults.schedule[1]", Fault: "partition", IntendedStartNS: 4e9, IntendedStopNS: 9e9, StartNS: NotApplied, StopNS: NotApplied, Attempts: 12, Error: "connection refused"},
	}
	c := CheckFaults(fs)
	want := "1 of 2 fault window(s) did not happen as scheduled, so the run did not test what it was asked to: faults.schedule[1] partition at 4.000s–9.000s: never took effect after 12 attempt(s) (last error: connection refused)"
	if c.Verdict != checker.Unknown || c.Summary != want || !strings.HasPrefix(c.Name, "faults") {
		t.Errorf("check %+v\nwant summary %q", c, want)
	}
}
