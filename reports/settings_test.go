package reports

import (
	"bytes"
	"strings"
	"testing"

	"faultline/workloads/results"
)

// TestBenchmarkShowsSettingsAndBare: a benchmark carries each backend's
// client settings (from its runs' results.json) and the median of its
// runs' harness/bare measurements, and the page shows both.
func TestBenchmarkShowsSettingsAndBare(t *testing.T) {
	root := t.TempDir()
	runs := benchRuns(t, root)
	ratios := map[int]float64{1: 0.95, 2: 0.91, 3: 0.80}
	for _, r := range runs {
		res, err := results.Read(r.Dir)
		if err != nil {
			t.Fatal(err)
		}
		res.Clients = &results.Clients{Clients: 64, Loop: "closed", OpTimeoutS: 5, Conns: 2, Library: "lib-" + r.Backend, ReadMode: "linearizable"}
		if r.Backend == "a" {
			res.Bare = &results.Bare{Rounds: []results.BareRound{{Round: 1}}, BareOpsPerS: 1000 * float64(r.Round),
				HarnessOpsPerS: 900 * float64(r.Round), Ratio: ratios[r.Round]}
		}
		if err := results.Write(r.Dir, res); err != nil {
			t.Fatal(err)
		}
	}
	bm, err := BuildBenchmark("demo", root, runs, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range bm.Cases {
		a, b := c.Backends[0], c.Backends[1]
		if a.Clients == nil || a.Clients.Conns != 2 || a.Clients.Library != "lib-a" || b.Clients.Library != "lib-b" {
			t.Fatalf("case %s: clients %+v / %+v", c.Name, a.Clients, b.Clients)
		}
		if a.Bare == nil || a.Bare.Ratio != 0.91 || a.Bare.BareOpsPerS != 2000 || a.Bare.HarnessOpsPerS != 1800 || len(a.Bare.RoundRatios) != 3 {
			t.Fatalf("case %s: bare %+v, want the medians of the three runs", c.Name, a.Bare)
		}
		if b.Bare != nil {
			t.Fatalf("case %s: backend b measured no bare loop, has %+v", c.Name, b.Bare)
		}
	}
	var page bytes.Buffer
	if err := WriteBenchmark(&page, bm); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"harness/bare", "0.91", "64 clients, closed loop, op timeout 5s, 2 shared connections, reads linearizable", "lib-b"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if got := SettingsText(nil); got != "–" {
		t.Errorf("SettingsText(nil) = %q", got)
	}
}
