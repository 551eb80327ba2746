package reports

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// synthMaelstrom writes a results folder of a Maelstrom-style run: a
// synthetic KV run (synthRun) plus network statistics, node pipe
// statistics with logs, and a message journal of journalN message copies
// (clients to nodes, gossip between nodes, a service, replies, drops in
// the partition window, duplicates, an error, one still in flight). With
// hostile set, ids, types and node output are markup.
func synthMaelstrom(t testing.TB, dir string, seed uint64, journalN int, hostile bool) {
	t.Helper()
	synthRun(t, dir, synthOptions{seed: seed, ops: 2000, seconds: 4, verdict: checker.Valid})
	r, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	r.Backend, r.Workload = "maelstrom", "broadcast"
	r.Files["messages"] = results.JournalFile
	part := r.Events[0] // isolates n0 from 1.2 s to 2 s
	rng := rand.New(rand.NewPCG(seed, 2))
	nodes := []string{"n0", "n1", "n2"}
	gossip, service := "gossip", "lin-kv"
	if hostile {
		gossip, service = "gossip"+imgPayload, "svc"+svgPayload
	}
	var entries []results.JournalEntry
	id := int64(0)
	for i := 0; len(entries) < journalN; i++ {
		sent := int64(i) * 20e6 // one exchange every 20 ms
		lat := 2e5 + rng.Int64N(8e5)
		n := nodes[i%3]
		id++
		msgID, reply := id, id
		e := results.JournalEntry{Src: fmt.Sprintf("c%d", 1+i%2), Dest: n, Type: "broadcast", MsgID: &msgID,
			SentNS: sent, DeliveredNS: sent + lat}
		back := results.JournalEntry{Src: n, Dest: e.Src, Type: "broadcast_ok", InReplyTo: &reply,
			SentNS: sent + lat + 1e5, DeliveredNS: sent + 2*lat + 1e5}
		peer := nodes[(i+1)%3]
		g := results.JournalEntry{Src: n, Dest: peer, Type: gossip, SentNS: sent + lat + 2e5, DeliveredNS: sent + 2*lat + 3e5}
		if part.Active(g.SentNS) && (n == "n0" || peer == "n0") {
			g.DeliveredNS, g.Dropped = results.NotDelivered, results.DropPartition
		}
		entries = append(entries, e, back, g)
		switch {
		case i%11 == 3:
			dup := g
			dup.Duplicate, dup.DeliveredNS, dup.Dropped = true, g.SentNS+lat+5e5, ""
			entries = append(entries, dup)
		case i%13 == 5:
			entries = append(entries, results.JournalEntry{Src: n, Dest: service, Type: "read", SentNS: sent + 3e5, DeliveredNS: sent + 4e5},
				results.JournalEntry{Src: service, Dest: n, Type: "error", SentNS: sent + 5e5, DeliveredNS: sent + 6e5})
		case i%17 == 7:
			entries = append(entries, results.JournalEntry{Src: n, Dest: "n9", Type: "oops", SentNS: sent + 1e5,
				DeliveredNS: results.NotDelivered, Dropped: results.DropUnknownDest})
		}
	}
	// The last copy was still in flight when the journal ended.
	entries[len(entries)-1].DeliveredNS, entries[len(entries)-1].Dropped = results.NotDelivered, ""
	if err := results.WriteJournal(dir, entries); err != nil {
		t.Fatal(err)
	}

	net := &results.Network{ByType: map[string]results.Traffic{}}
	for _, e := range entries {
		tr := results.Traffic{Sent: 1, Bytes: int64(60 + len(e.Type))}
		if e.Duplicate {
			tr = results.Traffic{Duplicated: 1}
		}
		switch {
		case e.Delivered():
			tr.Delivered = 1
		case e.Dropped == results.DropPartition:
			tr.Dropped.Partition = 1
		case e.Dropped == results.DropUnknownDest:
			tr.Dropped.UnknownDest = 1
		}
		net.All = addTraffic(net.All, tr)
		if strings.HasPrefix(e.Src, "c") || strings.HasPrefix(e.Dest, "c") {
			net.Clients = addTraffic(net.Clients, tr)
		} else {
			net.Servers = addTraffic(net.Servers, tr)
		}
		net.ByType[e.Type] = addTraffic(net.ByType[e.Type], tr)
	}
	net.SetOps(int64(journalN / 3))
	r.Network = net
	for i, n := range nodes {
		s := results.NodeStats{ID: n, Starts: 1, Inits: 1, Delivered: 300, Written: 300, Received: 310, Log: n + ".log"}
		log := fmt.Sprintf("node %s started\nreceived init\n", n)
		if i == 1 {
			s.Starts, s.Inits, s.Exits, s.DroppedFull, s.Problems = 2, 2, 1, 4, 2
			s.LastProblems = []string{`n1: malformed message: "{not json"`, "n1: line of 10485760 bytes, over the bound: \"aaaa\"..."}
			log += "panic: boom\n"
		}
		if hostile {
			s.LastProblems = append(s.LastProblems, "n1: junk "+scriptPayload)
			log += imgPayload + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, s.Log), []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
		r.NodeStats = append(r.NodeStats, s)
	}
	if hostile {
		r.NodeStats = append(r.NodeStats, results.NodeStats{ID: "n3" + svgPayload, Log: "../../etc/passwd"})
	}
	writeJSON(t, dir, results.File, r)
}

// buildMaelstrom builds the report data of a synthetic Maelstrom run with
// a journal of journalN message copies.
func buildMaelstrom(t *testing.T, seed uint64, journalN int) (string, *Data) {
	t.Helper()
	dir := t.TempDir()
	synthMaelstrom(t, dir, seed, journalN, false)
	d, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, d
}

func TestBuildMaelstrom(t *testing.T) {
	_, d := buildMaelstrom(t, 5, 600)
	n := d.Network
	if n == nil || len(n.Rows) != 3 || n.Rows[0].Name != "all" || n.Ops != 200 || n.MsgsPerOp <= 2 {
		t.Fatalf("network %+v", n)
	}
	all, clients, servers := n.Rows[0], n.Rows[1], n.Rows[2]
	if all.Sent != clients.Sent+servers.Sent || all.Dropped.Partition == 0 || all.Dropped.UnknownDest == 0 ||
		all.DroppedTotal != all.Dropped.Partition+all.Dropped.UnknownDest || all.Duplicated == 0 {
		t.Errorf("traffic rows %+v", n.Rows)
	}
	if all.PerOp != n.MsgsPerOp || servers.PerOp != n.ServerMsgsPerOp {
		t.Errorf("per op %v %v, want %v %v", all.PerOp, servers.PerOp, n.MsgsPerOp, n.ServerMsgsPerOp)
	}
	if len(n.ByType) != 6 || n.ByType[0].Sent < n.ByType[len(n.ByType)-1].Sent {
		t.Errorf("by type %+v", n.ByType)
	}
	if len(d.Nodes) != 3 || d.Nodes[1].ID != "n1" || d.Nodes[1].Log != "n1.log" || !strings.Contains(d.Nodes[1].LogTail, "panic: boom") {
		t.Errorf("nodes %+v", d.Nodes)
	}

	s := d.Sequence
	if s == nil || s.Drawn != MaxSequenceMessages || s.Total <= 600 || len(s.Arrows) != s.Drawn {
		t.Fatalf("sequence: drew %d of %d", s.Drawn, s.Total)
	}
	if len(s.Notes) == 0 || !strings.Contains(s.Notes[0], "400 of") {
		t.Errorf("notes %q", s.Notes)
	}
	if got := strings.Join(s.Lanes, " "); got != "c1 c2 n0 n1 n2 lin-kv n9" {
		t.Errorf("lanes %q", got)
	}
	var drops, dups, inFlight, errs int
	seen := make([]bool, s.Steps)
	for _, a := range s.Arrows {
		if a.Send < 0 || a.Send >= s.Steps || a.Recv >= s.Steps || (a.Recv >= 0 && a.Recv <= a.Send) {
			t.Fatalf("arrow %+v outside %d steps", a, s.Steps)
		}
		for _, st := range []int{a.Send, a.Recv} {
			if st >= 0 {
				if seen[st] {
					t.Fatalf("step %d used twice", st)
				}
				seen[st] = true
			}
		}
		switch {
		case a.Drop == "in flight":
			inFlight++
		case a.Drop != "":
			drops++
			if a.Recv != -1 {
				t.Errorf("dropped arrow delivered: %+v", a)
			}
		}
		if a.Dup {
			dups++
		}
		if a.Class == "error" {
			errs++
		}
	}
	if drops == 0 || dups == 0 || errs == 0 {
		t.Errorf("%d drops, %d duplicates, %d errors drawn", drops, dups, errs)
	}
	if inFlight != 0 {
		t.Errorf("%d in flight among the first messages", inFlight)
	}
	if len(s.Windows) != 2 || s.Windows[0].Kind != "partition" || s.Windows[1].Kind != "kill" || s.Windows[0].From >= s.Windows[0].To {
		t.Errorf("windows %+v", s.Windows)
	}
	if len(s.Ticks) == 0 || s.Ticks[0].Step != 0 || s.Ticks[len(s.Ticks)-1].T < 1 {
		t.Errorf("ticks %+v", s.Ticks)
	}
}

func TestSequenceSmallAndBroken(t *testing.T) {
	dir, d := buildMaelstrom(t, 6, 30)
	s := d.Sequence
	if s.Drawn != s.Total || len(s.Notes) != 0 {
		t.Errorf("small journal: drew %d of %d, notes %q", s.Drawn, s.Total, s.Notes)
	}
	if last := s.Arrows[len(s.Arrows)-1]; last.Drop != "in flight" && !strings.Contains(last.Title, "in flight") {
		t.Errorf("the last copy, in flight: %+v", last)
	}
	// A bad line ends the journal: what came before is drawn, with a note.
	f, err := os.OpenFile(filepath.Join(dir, results.JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "{\"src\":\"n0\"}\n%s\n", strings.Repeat("x", 100<<10))
	f.Close()
	d, err = Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s2 := d.Sequence; s2.Total != s.Total || len(s2.Notes) != 1 || !strings.Contains(s2.Notes[0], "line") {
		t.Errorf("broken journal: %d of %d, notes %q", s2.Drawn, s2.Total, s2.Notes)
	}
	// Without the journal, no diagram; the tables stay.
	if err := os.Remove(filepath.Join(dir, results.JournalFile)); err != nil {
		t.Fatal(err)
	}
	d, err = Build(dir)
	if err != nil || d.Sequence != nil || d.Network == nil {
		t.Errorf("no journal: %v, sequence %v", err, d.Sequence)
	}
}

func TestSequenceLanesBounded(t *testing.T) {
	var es []results.JournalEntry
	for i := range 100 {
		es = append(es, results.JournalEntry{Src: "n0", Dest: fmt.Sprintf("x%d", i), Type: strings.Repeat("t", 300),
			SentNS: int64(i), DeliveredNS: results.NotDelivered, Dropped: results.DropUnknownDest})
	}
	s := layoutSequence(es, nil)
	if len(s.Lanes) != MaxSequenceLanes || s.Lanes[len(s.Lanes)-1] != otherLane {
		t.Fatalf("%d lanes, last %q", len(s.Lanes), s.Lanes[len(s.Lanes)-1])
	}
	for _, a := range s.Arrows {
		if a.To >= len(s.Lanes) || len([]rune(a.Label)) > maxLabel {
			t.Fatalf("arrow %+v", a)
		}
	}
	if last := s.Arrows[len(s.Arrows)-1]; last.To != MaxSequenceLanes-1 {
		t.Errorf("the last id's lane %d, want the shared one", last.To)
	}
}

func TestNodeRowsBounded(t *testing.T) {
	var probs []string
	for i := range 40 {
		probs = append(probs, fmt.Sprintf("p%d ", i)+strings.Repeat("x", 10_000))
	}
	d := &Data{}
	d.nodes(t.TempDir(), &results.Results{NodeStats: []results.NodeStats{
		{ID: strings.Repeat("n", 1000), LastProblems: probs, Log: "missing.log"}}})
	row := d.Nodes[0]
	if len(row.LastProblems) != MaxProblemLines || !strings.HasPrefix(row.LastProblems[0], "p24 ") || row.Log != "" {
		t.Errorf("%d problem lines from %.4q, log %q", len(row.LastProblems), row.LastProblems[0], row.Log)
	}
	for _, p := range append(row.LastProblems, row.ID) {
		if len([]rune(p)) > maxProblem {
			t.Errorf("a line of %d runes", len([]rune(p)))
		}
	}
}
