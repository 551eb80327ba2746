package checker

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestVerdictMerge(t *testing.T) {
	for _, tc := range []struct {
		a, b, want Verdict
	}{
		{Valid, Valid, Valid},
		{Valid, Unknown, Unknown},
		{Unknown, Valid, Unknown},
		{Unknown, Invalid, Invalid},
		{Invalid, Unknown, Invalid},
		{Valid, Invalid, Invalid},
		{Invalid, Valid, Invalid},
		{Unknown, Unknown, Unknown},
	} {
		if got := tc.a.Merge(tc.b); got != tc.want {
			t.Errorf("%v.Merge(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if Compose() != Unknown || MergeAll() != Unknown {
		t.Error("composing nothing is not Unknown")
	}
	for _, v := range []Verdict{Valid, Unknown, Invalid} {
		if got := v.Merge(Failed); got != Failed {
			t.Errorf("%v.Merge(failed) = %v", v, got)
		}
	}
	if got := Compose(Result{Verdict: Valid}, Result{Verdict: Unknown}, Result{Verdict: Valid}); got != Unknown {
		t.Errorf("Compose(valid, unknown, valid) = %v", got)
	}
	if got := Compose(Result{Verdict: Invalid}, Result{}); got != Invalid {
		t.Errorf("Compose(invalid, zero) = %v", got)
	}
	if (Result{}).Verdict != Unknown {
		t.Error("zero Result is not Unknown")
	}
	for v, code := range map[Verdict]int{Valid: 0, Invalid: 1, Unknown: 2, Failed: 3} {
		if v.ExitCode() != code {
			t.Errorf("%v.ExitCode() = %d", v, v.ExitCode())
		}
	}
}

func TestResultJSON(t *testing.T) {
	r := Result{
		Checker: "append", Verdict: Invalid, Ops: 3, Keys: 1, KeysInvalid: 1,
		Counts:    map[AnomalyKind]int{StaleRead: 2, LostAppend: 1},
		Anomalies: []Anomaly{{Kind: StaleRead, Key: "k", Text: "read missed", Steps: []Step{{Op: 1, Desc: "read", Then: "did not see"}}}},
		Elapsed:   time.Millisecond,
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"verdict":"invalid"`, `"stale-read":2`, `"lost-append":1`, `"kind":"stale-read"`, `"then":"did not see"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Verdict != Invalid || back.Counts[StaleRead] != 2 || back.Anomalies[0].Kind != StaleRead {
		t.Fatalf("round trip: %+v", back)
	}
	if s := r.Summary(); !strings.Contains(s, "append: invalid, 3 ops on 1 key, 1 invalid (stale-read 2, lost-append 1)") {
		t.Errorf("Summary = %q", s)
	}
	if got := AnomalyKind(0).String(); got != "AnomalyKind(0)" {
		t.Errorf("AnomalyKind(0) = %q", got)
	}
	if _, err := Verdict(7).MarshalText(); err == nil {
		t.Error("Verdict(7) marshalled")
	}
}

func TestTimeFormatting(t *testing.T) {
	if got := secs(12_301_000_000, 3); got != "12.301 s" {
		t.Errorf("secs = %q", got)
	}
	if got := secs(5, 9); got != "0.000000005 s" {
		t.Errorf("secs = %q", got)
	}
	if p := precFor(12_301_000_000, 12_200_000_000); p != 3 {
		t.Errorf("precFor distinct ms = %d", p)
	}
	if p := precFor(12_301_000_100, 12_301_000_400); p != 9 {
		t.Errorf("precFor 300 ns apart = %d", p)
	}
	if p := precFor(12_301_100_000, 12_301_400_000); p != 6 {
		t.Errorf("precFor 300 us apart = %d", p)
	}
}
