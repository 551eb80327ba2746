package maelstrom

import (
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// TestAvailability: the clients' requests (not the harness's) are
// counted, and the goal decides the verdict, saying measured and required.
func TestAvailability(t *testing.T) {
	var ops []history.Op
	for i := range 10 {
		out := history.OK
		if i < 2 {
			out = history.Info
		}
		ops = append(ops, history.Op{Kind: history.Call, Key: "echo", Client: 1 + i%2, Outcome: out})
	}
	ops = append(ops, history.Op{Kind: history.Call, Key: "read", Client: 0, Outcome: history.Fail})
	a := MeasureAvailability(ops)
	if a.OK != 8 || a.Requests != 10 || a.Fraction() != 0.8 {
		t.Fatalf("measured %+v", a)
	}
	for _, c := range []struct {
		required float64
		want     checker.Verdict
		text     string
	}{
		{0.8, checker.Valid, "required at least 0.8"},
		{0.81, checker.Invalid, "required at least 0.81"},
		{1, checker.Invalid, "required total (every request ok)"},
		{0, checker.Valid, "required at least 0"},
	} {
		r := a.Check(c.required)
		if r.Verdict != c.want || !strings.Contains(r.Summary(), "measured 0.8000 (8 of 10 requests ok)") ||
			!strings.Contains(r.Summary(), c.text) {
			t.Errorf("required %v: %s, %q", c.required, r.Verdict, r.Summary())
		}
	}
	if r := (Availability{}).Check(0.5); r.Verdict != checker.Unknown {
		t.Errorf("no requests: %s", r.Verdict)
	}
	if r := (Availability{OK: 5, Requests: 5}).Check(1); r.Verdict != checker.Valid {
		t.Errorf("total, all ok: %s", r.Verdict)
	}
}
