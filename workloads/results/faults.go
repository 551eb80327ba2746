package results

import (
	"fmt"
	"strings"

	"faultline/workloads/checker"
)

// Fault is one occurrence of a scheduled fault: the window the schedule
// intended and the one that really happened. Times are run nanoseconds.
type Fault struct {
	// Entry is the schedule entry's path in the config
	// ("faults.schedule[1]"); Fault its kind ("partition").
	Entry string `json:"entry"`
	Fault string `json:"fault"`
	// Desc says what was (or was to be) done ("partition leader: n0 | n1 n2").
	Desc string `json:"desc"`
	// Nodes are the nodes it touched (or was to touch).
	Nodes []string `json:"nodes,omitempty"`
	// Layer names where a network fault or partition was applied:
	// "transport" (Faultline's transports), "proxy" (byte-stream proxies
	// between the nodes) or "kernel" (nftables rules and qdiscs between
	// nodes in network namespaces); empty for other faults.
	Layer string `json:"layer,omitempty"`
	// IntendedStartNS and IntendedStopNS are the window the schedule asked
	// for (equal for an instantaneous fault). A run that ended early cuts
	// the intended stop at its end.
	IntendedStartNS int64 `json:"intended_start_ns"`
	IntendedStopNS  int64 `json:"intended_stop_ns"`
	// StartNS is when the fault completely took effect, or NotApplied.
	StartNS int64 `json:"start_ns"`
	// StopNS is when it was healed, or NotApplied (never healed, or never
	// took effect).
	StopNS int64 `json:"stop_ns"`
	// Attempts counts the tries to apply it; Error is the last failure of
	// those tries (also when a later try succeeded).
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
	// HealAttempts counts the tries to heal it; HealError is the last
	// failure of those.
	HealAttempts int    `json:"heal_attempts,omitempty"`
	HealError    string `json:"heal_error,omitempty"`
}

// NotApplied marks a fault time that never came: a fault that never took
// effect, or was never healed.
const NotApplied int64 = -1

// MinCoverage is the share of its intended window a window fault must
// have been in effect for to count as having happened: a fault retried
// until it finally took effect late, or healed early, that covered less
// than this did not test what the schedule asked for. An instantaneous
// fault (join, leave, move) happened when it completed.
const MinCoverage = 0.5

// FaultsCheck is the name of the check that judges the fault schedule
// itself (did every window happen?) rather than the system.
const FaultsCheck = "faults"

// Coverage is the share of the intended window during which the fault was
// in effect (1 for a completed instantaneous fault, 0 for one that never
// took effect). A fault never healed counts as in effect until its
// intended stop.
func (f *Fault) Coverage() float64 {
	if f.StartNS == NotApplied {
		return 0
	}
	want := f.IntendedStopNS - f.IntendedStartNS
	if want <= 0 {
		if f.StopNS == NotApplied {
			return 0
		}
		return 1
	}
	stop := f.StopNS
	if stop == NotApplied || stop > f.IntendedStopNS {
		stop = f.IntendedStopNS
	}
	got := stop - max(f.StartNS, f.IntendedStartNS)
	return max(0, float64(got)/float64(want))
}

// Problem says how the fault failed to happen as scheduled, or "" when it
// did: it never took effect, covered less than MinCoverage of its window,
// or was never healed.
func (f *Fault) Problem() string {
	switch {
	case f.StartNS == NotApplied:
		return fmt.Sprintf("never took effect after %d attempt(s) (last error: %s)", f.Attempts, orNone(f.Error))
	case f.IntendedStopNS > f.IntendedStartNS && f.Coverage() < MinCoverage:
		return fmt.Sprintf("in effect for only %.0f%% of its window (from %s, after %d attempt(s); last error: %s)",
			100*f.Coverage(), secs(f.StartNS), f.Attempts, orNone(f.Error))
	case f.StopNS == NotApplied:
		return fmt.Sprintf("never healed after %d attempt(s) (last error: %s)", f.HealAttempts, orNone(f.HealError))
	}
	return ""
}

// Window names the fault and its intended window, for sentences:
// "faults.schedule[1] partition leader at 4.000s–9.000s".
func (f *Fault) Window() string {
	w := fmt.Sprintf("%s %s at %s", f.Entry, f.Fault, secs(f.IntendedStartNS))
	if f.IntendedStopNS > f.IntendedStartNS {
		w += "–" + secs(f.IntendedStopNS)
	}
	return w
}

func secs(ns int64) string { return fmt.Sprintf("%.3fs", float64(ns)/1e9) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// CheckFaults judges a run's fault schedule: valid when every fault
// happened as scheduled, unknown (the run did not test what it was asked
// to) when any did not, with a sentence naming each such window.
func CheckFaults(faults []Fault) Check {
	var bad []string
	for i := range faults {
		if p := faults[i].Problem(); p != "" {
			bad = append(bad, faults[i].Window()+": "+p)
		}
	}
	c := Check{Name: FaultsCheck, Verdict: checker.Valid,
		Details: map[string]int64{"scheduled": int64(len(faults)), "not-as-scheduled": int64(len(bad))}}
	if len(bad) == 0 {
		c.Summary = fmt.Sprintf("all %d fault window(s) happened as scheduled", len(faults))
		return c
	}
	c.Verdict = checker.Unknown
	c.Summary = fmt.Sprintf("%d of %d fault window(s) did not happen as scheduled, so the run did not test what it was asked to: %s",
		len(bad), len(faults), strings.Join(bad, "; "))
	return c
}
