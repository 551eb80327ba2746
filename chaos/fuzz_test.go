package chaos

import (
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParse feeds arbitrary YAML to the schedule parser: it must return a
// schedule or errors, never panic, and every schedule it accepts must plan
// without panicking.
func FuzzParse(f *testing.F) {
	f.Add(DefaultSchedule)
	f.Add("- {fault: network, links: [\"a->b\"], delay: 1ms, every: 1s, for: 1s, bandwidth: 1MB/s}")
	f.Add("- {fault: partition, shape: one-way, direction: in, random: 2s, for: 1s}")
	f.Add("seed: 1\nschedule: [{fault: join, at: 1s, groups: 2}]")
	f.Add("schedule: {a: b}")
	f.Fuzz(func(t *testing.T, src string) {
		var doc yaml.Node
		if yaml.Unmarshal([]byte(src), &doc) != nil || doc.Kind == 0 {
			return
		}
		s, err := Parse(&doc, "faults")
		if err != nil {
			return
		}
		_ = s.check(60e9)
		for i := range s.Entries {
			if s.Entries[i].Timing != Once && s.Entries[i].Interval < minInterval {
				t.Fatalf("entry %d accepted with interval %v", i, s.Entries[i].Interval)
			}
		}
		_ = s.Plan(1, 60e9)
	})
}
