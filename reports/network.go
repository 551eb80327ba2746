package reports

import (
	"bytes"
	"cmp"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"faultline/workloads/results"
)

// MaxTypeRows bounds the by-type rows of the network table; the types
// sent least are folded into one row.
const MaxTypeRows = 40

// MaxProblemLines bounds the latest problem lines shown per node, and
// maxProblem each line, in runes.
const (
	MaxProblemLines = 16
	maxProblem      = 300
)

// MaxLogTail bounds the tail of a node's log shown in the report, in
// bytes.
const MaxLogTail = 4 << 10

// NetworkView is the network statistics of a run whose backend routes
// messages itself: all, client and server traffic, traffic by message
// type, and messages per op.
type NetworkView struct {
	Rows   []TrafficRow `json:"rows"`
	ByType []TrafficRow `json:"by_type,omitempty"`
	// Ops is the client op count the per-op figures divide by.
	Ops             int64   `json:"ops"`
	MsgsPerOp       float64 `json:"msgs_per_op"`
	ServerMsgsPerOp float64 `json:"server_msgs_per_op"`
	JournalOmitted  int64   `json:"journal_omitted,omitempty"`
}

// TrafficRow is one row of the network table.
type TrafficRow struct {
	Name string `json:"name"`
	results.Traffic
	DroppedTotal int64 `json:"dropped_total"`
	// PerOp is Sent over the run's client ops; -1 when there were none.
	PerOp float64 `json:"per_op"`
}

// NodeRow is one node process's pipe statistics, with a link to its log
// and the log's tail when the results folder has it.
type NodeRow struct {
	results.NodeStats
	LogTail string `json:"log_tail,omitempty"`
}

func trafficRow(name string, t results.Traffic, ops int64) TrafficRow {
	row := TrafficRow{Name: name, Traffic: t, DroppedTotal: t.Dropped.Total(), PerOp: -1}
	if ops > 0 {
		row.PerOp = results.Round(float64(t.Sent)/float64(ops), 3)
	}
	return row
}

// network computes the network section, when the run has one.
func (d *Data) network(r *results.Results) {
	n := r.Network
	if n == nil {
		return
	}
	v := &NetworkView{Ops: n.Ops, MsgsPerOp: n.MsgsPerOp, ServerMsgsPerOp: n.ServerMsgsPerOp, JournalOmitted: n.JournalOmitted}
	v.Rows = []TrafficRow{trafficRow("all", n.All, n.Ops), trafficRow("clients", n.Clients, n.Ops), trafficRow("servers", n.Servers, n.Ops)}
	names := slices.SortedFunc(maps.Keys(n.ByType), func(a, b string) int {
		return cmp.Or(cmp.Compare(n.ByType[b].Sent, n.ByType[a].Sent), cmp.Compare(a, b))
	})
	var rest results.Traffic
	for i, name := range names {
		t := n.ByType[name]
		if i < MaxTypeRows-1 || len(names) == MaxTypeRows {
			v.ByType = append(v.ByType, trafficRow(clip(name, maxLabel), t, n.Ops))
			continue
		}
		rest = addTraffic(rest, t)
	}
	if len(names) > MaxTypeRows {
		v.ByType = append(v.ByType, trafficRow("("+strconv.Itoa(len(names)-MaxTypeRows+1)+" more types)", rest, n.Ops))
	}
	d.Network = v
}

func addTraffic(a, b results.Traffic) results.Traffic {
	a.Sent += b.Sent
	a.Delivered += b.Delivered
	a.Duplicated += b.Duplicated
	a.Bytes += b.Bytes
	a.Dropped.Partition += b.Dropped.Partition
	a.Dropped.Loss += b.Dropped.Loss
	a.Dropped.UnknownDest += b.Dropped.UnknownDest
	a.Dropped.SlowEndpoint += b.Dropped.SlowEndpoint
	a.Dropped.Overload += b.Dropped.Overload
	return a
}

// nodes computes the node process rows, in natural order of their ids.
// A log is linked (and its tail shown) only when it is a regular file
// inside the results folder.
func (d *Data) nodes(dir string, r *results.Results) {
	for _, s := range r.NodeStats {
		row := NodeRow{NodeStats: s}
		row.ID = clip(s.ID, maxLabel)
		// Node output is hostile: bound what of it the page repeats.
		row.LastProblems = nil
		for _, p := range s.LastProblems[max(0, len(s.LastProblems)-MaxProblemLines):] {
			row.LastProblems = append(row.LastProblems, clip(p, maxProblem))
		}
		row.Log = "" // linked only when it is there
		if f := s.Log; safeRel(f) {
			if tail, ok := logTail(filepath.Join(dir, f)); ok {
				row.Log, row.LogTail = filepath.ToSlash(f), tail
			}
		}
		d.Nodes = append(d.Nodes, row)
	}
	slices.SortStableFunc(d.Nodes, func(a, b NodeRow) int { return naturalLess(a.ID, b.ID) })
}

// safeRel reports whether f names a file inside the results folder.
func safeRel(f string) bool {
	return f != "" && !filepath.IsAbs(f) && !strings.Contains(f, "..")
}

// logTail returns the last MaxLogTail bytes of a regular file, from a
// line's start, as valid UTF-8.
func logTail(path string) (string, bool) {
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	off := max(st.Size()-MaxLogTail, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, off, MaxLogTail))
	if err != nil {
		return "", false
	}
	if off > 0 {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), true
}

// clip cuts s to at most n runes, marking a cut with "…".
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
