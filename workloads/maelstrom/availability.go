package maelstrom

import (
	"fmt"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// AvailabilityCheck names the availability check in a run's results.
const AvailabilityCheck = "availability"

// Availability counts a run's requests and those that succeeded.
type Availability struct {
	OK, Requests int
}

// MeasureAvailability counts the clients' requests in ops: those of
// clients 1 and up, as Maelstrom counts its clients' operations. The
// harness's own requests (client 0: setup, and the final reads, repeated
// until the nodes agree) are not counted.
func MeasureAvailability(ops []history.Op) Availability {
	var a Availability
	for i := range ops {
		if ops[i].Client < 1 {
			continue
		}
		a.Requests++
		if ops[i].Outcome == history.OK {
			a.OK++
		}
	}
	return a
}

// Fraction is the fraction of requests that succeeded (1 for none, as
// Maelstrom counts it).
func (a Availability) Fraction() float64 {
	if a.Requests == 0 {
		return 1
	}
	return float64(a.OK) / float64(a.Requests)
}

// String describes the measure: "availability 0.9730 (973 of 1000
// requests ok)".
func (a Availability) String() string {
	if a.Requests == 0 {
		return "availability: no requests"
	}
	return fmt.Sprintf("availability %.4f (%d of %d requests ok)", a.Fraction(), a.OK, a.Requests)
}

// Check judges the measure against Maelstrom's --availability goal: at
// least required of the requests ok (1 is "total": every one). Valid when
// met, Invalid when not, Unknown when there was no request to judge.
func (a Availability) Check(required float64) checker.Result {
	start := time.Now()
	res := checker.Result{Checker: AvailabilityCheck, Ops: a.Requests}
	goal := fmt.Sprintf("at least %.4g", required)
	if required >= 1 {
		goal = "total (every request ok)"
	}
	switch {
	case a.Requests == 0:
		res.Verdict, res.Reason = checker.Unknown, checker.NothingToCheck
	case a.Fraction() >= required:
		res.Verdict = checker.Valid
	default:
		res.Verdict = checker.Invalid
	}
	res.Text = fmt.Sprintf("%s: %s, measured %.4f (%d of %d requests ok), required %s", AvailabilityCheck, res.Verdict,
		a.Fraction(), a.OK, a.Requests, goal)
	res.Elapsed = time.Since(start)
	return res
}
