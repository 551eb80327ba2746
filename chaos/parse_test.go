package chaos

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"faultline/transport"
	"faultline/workloads"
)

// parseYAML parses src as the value of a config's "faults" key.
func parseYAML(t *testing.T, src string) (*Schedule, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return Parse(&doc, "faults")
}

func TestParseDefaultSchedule(t *testing.T) {
	s, err := parseYAML(t, DefaultSchedule)
	if err != nil {
		t.Fatal(err)
	}
	if s.Recovery != 8*time.Second || len(s.Entries) != 3 {
		t.Fatalf("recovery %v, %d entries", s.Recovery, len(s.Entries))
	}
	want := []Kind{KindPartition, KindKill, KindNetwork}
	for i, e := range s.Entries {
		if e.Fault != want[i] {
			t.Errorf("entry %d: %s, want %s", i, e.Fault, want[i])
		}
	}
	if s.Entries[0].Shape != ShapeLeader || s.Entries[0].Target != TargetLeader {
		t.Errorf("entry 0: %+v", s.Entries[0])
	}
	l := s.Entries[2].Link
	if l.Delay != 20*time.Millisecond || l.Jitter != 5*time.Millisecond || l.Distribution != transport.DelayNormal || l.Drop != 0.02 {
		t.Errorf("entry 2 link: %+v", l)
	}
	if err := s.check(35 * time.Second); err != nil {
		t.Errorf("default schedule in a 35s run: %v", err)
	}
}

func TestParseFields(t *testing.T) {
	s, err := parseYAML(t, `
seed: 42
recovery: 3s
schedule:
  - fault: network
    links: ["n1->n2", "n2 -> n3"]
    every: 2s
    start: 500ms
    for: 1s
    delay: 10ms
    jitter: 2ms
    distribution: pareto
    loss: 10%
    burst: 3
    reorder: 0.5
    reorder_delay: 20ms
    bandwidth: 10Mbit/s
  - fault: partition
    shape: one-way
    nodes: [n2]
    direction: in
    random: 4s
    for: 1s
  - fault: pause
    target: majority
    at: 1s
    for: 2s
  - fault: join
    groups: 2
    at: 3s
`)
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed != 42 || s.Recovery != 3*time.Second {
		t.Errorf("seed %d recovery %v", s.Seed, s.Recovery)
	}
	e := s.Entries[0]
	if e.Timing != Every || e.Interval != 2*time.Second || e.Start != 500*time.Millisecond || e.For != time.Second {
		t.Errorf("timing %+v", e)
	}
	if len(e.Links) != 2 || e.Links[1] != [2]string{"n2", "n3"} {
		t.Errorf("links %v", e.Links)
	}
	want := transport.LinkFaults{Delay: 10 * time.Millisecond, Jitter: 2 * time.Millisecond, Distribution: transport.DelayPareto,
		Drop: 0.1, Burst: 3, Reorder: 0.5, ReorderDelay: 20 * time.Millisecond, Bandwidth: 1250000}
	if e.Link != want {
		t.Errorf("link %+v, want %+v", e.Link, want)
	}
	if e := s.Entries[1]; e.Timing != Random || e.Shape != ShapeOneWay || !e.Inbound || e.Target != TargetNodes || e.Nodes[0] != "n2" {
		t.Errorf("entry 1 %+v", e)
	}
	if e := s.Entries[2]; e.Target != TargetMajority || e.At != time.Second {
		t.Errorf("entry 2 %+v", e)
	}
	if e := s.Entries[3]; e.Groups != 2 {
		t.Errorf("entry 3 %+v", e)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // "line: path: message part"
	}{
		{"not a mapping", `42`, []string{"1: faults: want a mapping"}},
		{"unknown top key", "recover: 1s\nschedule: []", []string{"1: faults.recover: unknown key"}},
		{"no schedule", "seed: 1", []string{"1: faults.schedule: missing"}},
		{"unknown fault", "- fault: partiton\n  at: 1s\n  for: 1s", []string{`1: faults[0].fault: unknown fault "partiton"`}},
		{"no fault", "- at: 1s", []string{"1: faults[0].fault: missing"}},
		{"two timings", "- fault: kill\n  at: 1s\n  every: 2s\n  for: 1s", []string{"1: faults[0]: want exactly one of at, every or random, got 2"}},
		{"no timing", "- fault: kill\n  for: 1s", []string{"1: faults[0]: want exactly one of at, every or random, got 0"}},
		{"bad duration", "- fault: kill\n  at: 1s\n  for: 2", []string{`3: faults[0].for: "2" is not a duration`}},
		{"no for", "- fault: pause\n  at: 1s", []string{"1: faults[0].for: missing"}},
		{"for on point", "- fault: join\n  at: 1s\n  for: 1s", []string{"3: faults[0].for: fault join happens at once"}},
		{"zero every", "- fault: kill\n  every: 0s\n  for: 1s", []string{"2: faults[0].every: want an interval of at least 10ms"}},
		{"start with at", "- fault: kill\n  at: 1s\n  start: 1s\n  for: 1s", []string{"3: faults[0].start: start goes with every or random"}},
		{"bad target", "- fault: kill\n  target: leeder\n  at: 1s\n  for: 1s", []string{`2: faults[0].target: unknown target "leeder"`}},
		{"target and nodes", "- fault: kill\n  target: all\n  nodes: [n1]\n  at: 1s\n  for: 1s", []string{"2: faults[0].target: give target or nodes, not both"}},
		{"unknown key", "- fault: kill\n  delay: 1s\n  at: 1s\n  for: 1s", []string{"2: faults[0].delay: unknown key for fault kill"}},
		{"no shape", "- fault: partition\n  at: 1s\n  for: 1s", []string{"1: faults[0].shape: missing"}},
		{"bad shape", "- fault: partition\n  shape: square\n  at: 1s\n  for: 1s", []string{`2: faults[0].shape: unknown shape "square"`}},
		{"target on halves", "- fault: partition\n  shape: halves\n  target: random\n  at: 1s\n  for: 1s", []string{"3: faults[0].target: shape halves chooses its own nodes"}},
		{"direction not one-way", "- fault: partition\n  shape: halves\n  direction: in\n  at: 1s\n  for: 1s", []string{"3: faults[0].direction: direction goes with shape one-way"}},
		{"empty network", "- fault: network\n  at: 1s\n  for: 1s", []string{"1: faults[0]: a network fault needs at least one of"}},
		{"loss range", "- fault: network\n  loss: 1.5\n  at: 1s\n  for: 1s", []string{"2: faults[0].loss: 1.5, want a probability"}},
		{"burst without loss", "- fault: network\n  delay: 1ms\n  burst: 3\n  at: 1s\n  for: 1s", []string{"3: faults[0].burst: burst shapes loss"}},
		{"distribution without jitter", "- fault: network\n  delay: 1ms\n  distribution: normal\n  at: 1s\n  for: 1s", []string{"3: faults[0].distribution: a distribution shapes the jitter"}},
		{"bad distribution", "- fault: network\n  jitter: 1ms\n  distribution: gamma\n  at: 1s\n  for: 1s", []string{`3: faults[0].distribution: unknown distribution "gamma"`}},
		{"bad bandwidth", "- fault: network\n  bandwidth: fast\n  at: 1s\n  for: 1s", []string{`2: faults[0].bandwidth: "fast" is not a rate`}},
		{"bad link", "- fault: network\n  delay: 1ms\n  links: [n1-n2]\n  at: 1s\n  for: 1s", []string{`3: faults[0].links[0]: link "n1-n2"`}},
		{"bad conn", "- fault: network\n  conn: drop\n  at: 1s\n  for: 1s", []string{`2: faults[0].conn: unknown connection fault "drop"`}},
		{"repeated key", "- fault: kill\n  at: 1s\n  at: 2s\n  for: 1s", []string{"3: faults[0].at: repeated key"}},
		{"several, in line order", "- fault: kill\n  at: x\n  for: 1s\n- fault: pause\n  at: 1s\n  for: -1s",
			[]string{`2: faults[0].at: "x" is not a duration`, "6: faults[1].for: want a duration >= 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseYAML(t, tc.src)
			fields := workloads.Fields(err)
			if len(fields) != len(tc.want) {
				t.Fatalf("got %d errors, want %d: %v", len(fields), len(tc.want), err)
			}
			for i, fe := range fields {
				got := strconv.Itoa(fe.Line) + ": " + fe.Error()
				if !strings.HasPrefix(got, tc.want[i]) {
					t.Errorf("error %d = %q, want prefix %q", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestCheckAgainstRunLength(t *testing.T) {
	s, err := parseYAML(t, "recovery: 5s\nschedule:\n- fault: kill\n  at: 8s\n  for: 1s\n- fault: pause\n  every: 12s\n  for: 1s")
	if err != nil {
		t.Fatal(err)
	}
	fields := workloads.Fields(s.check(10 * time.Second))
	if len(fields) != 2 || fields[0].Path != "faults.schedule[0].at" || fields[1].Path != "faults.schedule[1].start" {
		t.Fatalf("errors %v", s.check(10*time.Second))
	}
	if err := s.check(20 * time.Second); err != nil {
		t.Errorf("20s run: %v", err)
	}
	if fe := workloads.Fields(s.check(4 * time.Second)); len(fe) != 1 || fe[0].Path != "faults.recovery" {
		t.Errorf("4s run: %v", s.check(4*time.Second))
	}
}

func TestBandwidthUnits(t *testing.T) {
	for in, want := range map[string]int64{"1000": 1000, "1KB/s": 1000, "1KiB/s": 1024, "8kbit/s": 1000, "1MB/s": 1e6, "10Mbps": 1250000, "2.5GB/s": 2.5e9} {
		s, err := parseYAML(t, "- fault: network\n  at: 1s\n  for: 1s\n  bandwidth: "+in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := s.Entries[0].Link.Bandwidth; got != want {
			t.Errorf("%s = %d B/s, want %d", in, got, want)
		}
	}
}

func TestPlan(t *testing.T) {
	s, err := parseYAML(t, `
recovery: 5s
schedule:
  - fault: kill
    at: 2s
    for: 3s
  - fault: pause
    every: 10s
    for: 20s
  - fault: network
    delay: 1ms
    random: 2s
    for: 1s
`)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Plan(7, 45*time.Second)
	again := s.Plan(7, 45*time.Second)
	if len(p) != len(again) {
		t.Fatal("plan not deterministic")
	}
	var kills, pauses, nets int
	for i, o := range p {
		if o != again[i] {
			t.Fatalf("plan not deterministic at %d: %+v vs %+v", i, o, again[i])
		}
		if i > 0 && o.At < p[i-1].At {
			t.Errorf("plan out of order at %d", i)
		}
		if o.Until > 40*time.Second || o.At >= 40*time.Second {
			t.Errorf("occurrence %+v reaches past the final heal at 40s", o)
		}
		switch o.Entry {
		case 0:
			kills++
			if o.At != 2*time.Second || o.Until != 5*time.Second {
				t.Errorf("kill %+v", o)
			}
		case 1:
			pauses++
			if o.At%(10*time.Second) != 0 {
				t.Errorf("pause at %v", o.At)
			}
		case 2:
			nets++
		}
	}
	if kills != 1 || pauses != 3 {
		t.Errorf("%d kills, %d pauses; want 1 and 3 (at 10s, 20s, 30s)", kills, pauses)
	}
	// About 20 random firings in 40s with a 2s mean; a Poisson count
	// below 5 or above 45 has odds far under one in a million.
	if nets < 5 || nets > 45 {
		t.Errorf("%d random network firings, want about 20 (seed 7)", nets)
	}
	if other := s.Plan(8, 45*time.Second); len(other) == len(p) && other[len(other)-1] == p[len(p)-1] {
		t.Errorf("another seed gave the same plan")
	}
}
