package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// synthOptions shape a synthetic run.
type synthOptions struct {
	seed    uint64
	ops     int             // ops in the history
	seconds float64         // length of the run
	verdict checker.Verdict // overall verdict
	job     bool            // a MapReduce run instead of a KV run
}

// synthRun writes a plausible results folder (results.json, history.jsonl,
// a porcupine visualization stand-in) into dir, deterministically from the
// seed: three op types, a partition that makes ops fail or time out, a
// kill, a pause still open at the end, leader changes, transport stats and
// checks.
func synthRun(t testing.TB, dir string, o synthOptions) {
	t.Helper()
	rng := rand.New(rand.NewPCG(o.seed, 1))
	started := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Add(time.Duration(o.seed) * time.Minute)
	end := int64(o.seconds * 1e9)
	r := results.Results{
		Schema: results.SchemaVersion,
		Run: results.Run{Name: "synthetic", Verdict: o.verdict, Backend: "raftkv", Mode: "process",
			Nodes: []string{"n0", "n1", "n2"}, Workload: "append", Seed: int64(o.seed)},
		Command: []string{"bench", "-config", "workloads/configs/append.yaml", "-seed", fmt.Sprint(o.seed)},
		Started: started, ElapsedS: o.seconds, MeasureS: o.seconds - 1,
		Versions: map[string]string{"go": "go1.26", "faultline": "abc123"},
		Files:    map[string]string{"config": "config.yaml", "history": "history.jsonl", "log": "bench.log"},
		Phases: []results.Phase{
			{Name: "warmup", Loop: "closed", StartNS: 0, EndNS: 1e9},
			{Name: "main", Measured: true, Loop: "closed", StartNS: 1e9, EndNS: end},
		},
	}
	events := []history.Event{
		{Kind: "partition", Start: end * 3 / 10, Stop: end * 5 / 10, Nodes: []string{"n0"}, Desc: "isolate n0"},
		{Kind: "kill", Start: end * 6 / 10, Stop: end * 65 / 100, Nodes: []string{"n1"}, Desc: "kill -9 n1"},
		{Kind: "pause", Start: end * 85 / 100, Stop: history.Open, Nodes: []string{"n2"}, Desc: "SIGSTOP n2"},
		{Kind: "leader", Start: end * 32 / 100, Stop: end * 32 / 100, Nodes: []string{"n1"}, Desc: "n1 leads term 3"},
		{Kind: "leader", Start: end * 61 / 100, Stop: end * 61 / 100, Nodes: []string{"n2"}, Desc: "n2 leads term 4"},
	}
	if o.job {
		r.Workload, r.Backend, r.Nodes = "mapreduce", "mapreduce", nil
		delete(r.Files, "history")
		r.Phases, events = nil, nil
		r.Job = synthJob(rng)
		r.Checks = []results.Check{{Name: "output", Verdict: o.verdict, Summary: "output equals the sequential reference", DurationS: 0.3}}
		writeJSON(t, dir, "results.json", r)
		return
	}
	r.Events = events

	kinds := []string{"append", "get", "put"}
	type sample struct {
		kind    int
		outcome int
		lat     int64
	}
	perSec := make([][]sample, int(math.Ceil(o.seconds)))
	f, err := os.Create(filepath.Join(dir, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	step := end / int64(max(o.ops, 1))
	var lats [3][]int64
	var counts [3]results.Counts
	for i := range o.ops {
		invoke := int64(i)*step + rng.Int64N(max(step, 1))
		k := rng.IntN(3)
		lat := int64(math.Exp(rng.NormFloat64()*0.5) * 2e6) // ~2 ms
		outcome := "ok"
		if invoke > events[0].Start && invoke < events[0].Stop {
			switch rng.IntN(10) {
			case 0, 1:
				outcome, lat = "info", 1e9+rng.Int64N(1e8)
			case 2:
				outcome = "fail"
			}
		} else if rng.IntN(2000) == 0 {
			outcome = "fail"
		}
		if rng.IntN(5000) == 0 {
			lat *= 50 // a spike
		}
		complete := invoke + lat
		fmt.Fprintf(w, `{"type":"op","client":%d,"kind":%q,"key":"k%d","invoke":%d,"complete":%d,"outcome":%q,"node":"n%d"}`+"\n",
			i%16, kinds[k], rng.IntN(100), invoke, complete, outcome, rng.IntN(3))
		sec := min(int(complete/1e9), len(perSec)-1)
		oc := map[string]int{"ok": outcomeOK, "fail": outcomeFail, "info": outcomeInfo}[outcome]
		perSec[sec] = append(perSec[sec], sample{k, oc, lat / 1e3})
		if invoke >= 1e9 {
			lats[k] = append(lats[k], lat/1e3)
			switch oc {
			case outcomeOK:
				counts[k].OK++
			case outcomeFail:
				counts[k].Fail++
			default:
				counts[k].Info++
			}
		}
	}
	for _, e := range events {
		b, _ := json.Marshal(struct {
			Type string `json:"type"`
			history.Event
		}{"event", e})
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	for s, samples := range perSec {
		sec := results.Second{T: s, Ops: map[string]results.Counts{}}
		var l []int64
		for _, x := range samples {
			c := sec.Ops[kinds[x.kind]]
			switch x.outcome {
			case outcomeOK:
				c.OK++
			case outcomeFail:
				c.Fail++
			default:
				c.Info++
			}
			sec.Ops[kinds[x.kind]] = c
			l = append(l, x.lat)
			if x.outcome != outcomeOK {
				if sec.Errors == nil {
					sec.Errors = map[string]int64{}
				}
				sec.Errors[[...]string{"", "definite", "timeout"}[x.outcome]]++
			}
		}
		slices.Sort(l)
		sec.P50US, sec.P90US, sec.P99US, sec.MaxUS = pick(l, 50), pick(l, 90), pick(l, 99), pick(l, 100)
		r.Series = append(r.Series, sec)
	}
	r.Ops = map[string]results.OpStats{}
	var all []int64
	var allCounts results.Counts
	for k, name := range kinds {
		r.Ops[name] = opStats(lats[k], counts[k], r.MeasureS)
		all = append(all, lats[k]...)
		allCounts.OK += counts[k].OK
		allCounts.Fail += counts[k].Fail
		allCounts.Info += counts[k].Info
	}
	r.Ops["all"] = opStats(all, allCounts, r.MeasureS)
	r.RPC = map[string]results.RPCStat{
		"Raft.AppendEntries": {Calls: int64(o.ops) * 2, Bytes: int64(o.ops) * 310},
		"Raft.RequestVote":   {Calls: 12, Bytes: 960},
		"KV.Append":          {Calls: int64(o.ops) / 3, Bytes: int64(o.ops) * 40},
	}
	r.Checks = []results.Check{
		{Name: "append", Verdict: o.verdict, Summary: "append: 2 lost appends", Keys: []string{"k7", "k9"},
			Details: map[string]int64{"lost-append": 2, "duplicate-token": 1},
			Anomalies: []checker.Anomaly{{Kind: checker.LostAppend, Key: "k7", Text: "append c3.s17; by client 3 was acknowledged but no later read saw it",
				Steps: []checker.Step{{Op: 10, Desc: "c3 append k7 c3.s17; ok", Then: "completed before"}, {Op: 12, Desc: "c5 get k7 → c1.s2;", Then: "missed it"}}}},
			DurationS: 0.05},
		{Name: "linearizable", Verdict: o.verdict, Summary: "kv: not linearizable on key k3", Keys: []string{"k3"},
			DurationS: 0.1, Visualization: "linearizability.html"},
	}
	writeVisualization(t, filepath.Join(dir, "linearizability.html"))
	writeJSON(t, dir, "results.json", r)
}

func synthJob(rng *rand.Rand) *results.Job {
	j := &results.Job{App: "wc", Inputs: []string{"a.txt", "b.txt", "c.txt", "d.txt"}, Reduce: 3, Workers: 3,
		ElapsedS: 2.5, SequentialS: 1.9, Verified: true, WorkersStarted: 4, Kills: 1}
	free := map[string]float64{"w0": 0.05, "w1": 0.05, "w2": 0.05, "w3": 1.1}
	workers := []string{"w0", "w1", "w2"}
	for i := range 4 {
		w := workers[i%3]
		d := 0.3 + rng.Float64()*0.2
		a := results.Attempt{Task: "map", Index: i, Attempt: 1, Worker: w, StartS: free[w], EndS: free[w] + d, Outcome: "completed"}
		if i == 1 {
			a.Outcome = "" // its worker was killed
			j.Attempts = append(j.Attempts, a)
			a = results.Attempt{Task: "map", Index: i, Attempt: 2, Worker: "w3", StartS: 1.1, EndS: 1.5, Outcome: "completed"}
			free["w3"] = 1.5
		}
		free[a.Worker] = a.EndS
		j.Attempts = append(j.Attempts, a)
	}
	workers = []string{"w0", "w2", "w3"}
	for i := range 3 {
		w := workers[i]
		s := max(free[w], 1.5)
		j.Attempts = append(j.Attempts, results.Attempt{Task: "reduce", Index: i, Attempt: 1, Worker: w, StartS: s, EndS: s + 0.6, Outcome: "completed"})
	}
	return j
}

func pick(sorted []int64, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func opStats(l []int64, c results.Counts, secs float64) results.OpStats {
	slices.Sort(l)
	s := results.OpStats{Count: int64(len(l)), OK: c.OK, Fail: c.Fail, Info: c.Info}
	if len(l) == 0 {
		return s
	}
	var sum int64
	for _, v := range l {
		sum += v
	}
	s.OpsPerSec = results.Round(float64(len(l))/secs, 1)
	s.MeanUS = results.Round(float64(sum)/float64(len(l)), 1)
	s.P50US, s.P90US, s.P99US, s.P999US, s.P9999US, s.MaxUS = pick(l, 50), pick(l, 90), pick(l, 99), pick(l, 99.9), pick(l, 99.99), pick(l, 100)
	for _, p := range []float64{0, 50, 90, 99, 99.9, 99.99, 100} {
		s.Percentiles = append(s.Percentiles, [2]float64{p, float64(pick(l, p))})
	}
	return s
}

func writeJSON(t testing.TB, dir, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
