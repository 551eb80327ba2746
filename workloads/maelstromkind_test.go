package workloads_test

import (
	"strings"
	"testing"

	"faultline/workloads"
)

// TestMaelstromSection: availability and max_writes_per_key are read from
// the maelstrom section and checked.
func TestMaelstromSection(t *testing.T) {
	cfg, _, err := workloads.Parse("run.yaml", []byte(`backend: {name: maelstrom, options: {bin: /bin/true}}
workload:
  kind: lin-kv
  maelstrom: {availability: total, max_writes_per_key: 4}
`))
	if err != nil {
		t.Fatal(err)
	}
	if m := cfg.Workload.Maelstrom; m.Availability != "total" || m.MaxWritesPerKey != 4 {
		t.Fatalf("maelstrom section %+v", m)
	}
	for _, c := range []struct{ section, want string }{
		{"{availability: 1.5}", `workload.maelstrom.availability: availability "1.5": want a fraction from 0 to 1`},
		{"{availability: most}", `availability "most"`},
		{"{max_writes_per_key: -2}", "max_writes_per_key -2 must not be negative"},
	} {
		_, _, err := workloads.Parse("run.yaml", []byte("workload:\n  kind: lin-kv\n  maelstrom: "+c.section+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.section, err, c.want)
		}
	}
	for s, want := range map[string]float64{"total": 1, "0.99": 0.99, "0": 0, "1": 1} {
		if got, set, err := workloads.ParseAvailability(s); err != nil || !set || got != want {
			t.Errorf("ParseAvailability(%q) = %v, %v, %v", s, got, set, err)
		}
	}
	if _, set, err := workloads.ParseAvailability(""); set || err != nil {
		t.Errorf(`ParseAvailability("") = %v, %v`, set, err)
	}
}
