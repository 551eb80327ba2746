package workloads

import (
	"strings"
	"testing"
)

// TestBareSectionChecked: a bare section is refused, at its line, where
// the harness and the bare loop could not run the same load; rounds 0
// turns it off whatever the rest says.
func TestBareSectionChecked(t *testing.T) {
	base := "workload:\n  duration: 6s\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"negative rounds", base + "bare:\n  rounds: -1\n", "bare.rounds: -1 rounds, want 0 (off) to 100"},
		{"too many rounds", base + "bare:\n  rounds: 101\n", "bare.rounds: 101 rounds"},
		{"open loop", "workload:\n  duration: 6s\n  loop: open\n  rate: 100\nbare:\n  rounds: 3\n", `the bare loop is closed; set workload.loop: closed (it is "open")`},
		{"phases", "phases:\n  - name: a\n    duration: 1s\nbare:\n  rounds: 3\n", "set together with phases"},
		{"ops bound", "workload:\n  ops: 1000\nbare:\n  rounds: 3\n", "split workload.duration; set it, and not workload.ops"},
		{"faults", base + "faults: default\nbare:\n  rounds: 3\n", "a bare comparison runs without faults"},
		{"unknown key", base + "bare:\n  round: 3\n", `unknown key "round" (known here: rounds)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("c.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			for _, fe := range Fields(err) {
				if strings.Contains(fe.Error(), tc.want) && fe.Line == 0 {
					t.Errorf("%v has no line", fe)
				}
			}
		})
	}
	for _, ok := range []string{
		base + "bare:\n  rounds: 3\n",
		"workload:\n  loop: open\n  rate: 100\n  duration: 6s\nfaults: default\nbare:\n  rounds: 0\n",
	} {
		c, _, err := Parse("c.yaml", []byte(ok))
		if err != nil {
			t.Fatalf("refused:\n%s\n%v", ok, err)
		}
		if c.BareOn() != strings.Contains(ok, "rounds: 3") {
			t.Errorf("BareOn = %v for\n%s", c.BareOn(), ok)
		}
	}
}
