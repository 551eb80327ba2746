package elle

import (
	"fmt"
	"slices"
)

// Model is a consistency model a history can be checked against.
type Model string

// The models Faultline checks, strongest first. Their relations and the
// anomalies each one prohibits follow Adya's isolation levels as Elle
// arranges them (elle.consistency-model): see implies and prohibits.
const (
	StrictSerializable Model = "strict-serializable"
	Serializable       Model = "serializable"
	SnapshotIsolation  Model = "snapshot-isolation"
	RepeatableRead     Model = "repeatable-read"
	ReadCommitted      Model = "read-committed"
	ReadUncommitted    Model = "read-uncommitted"
	// StrongSessionSerializable is serializable plus each process's order:
	// checking it adds process edges, as strict-serializable adds real time.
	StrongSessionSerializable Model = "strong-session-serializable"
)

// Models lists every model, strongest first.
var Models = []Model{StrictSerializable, StrongSessionSerializable, Serializable, SnapshotIsolation,
	RepeatableRead, ReadCommitted, ReadUncommitted}

// ParseModel returns the model named s.
func ParseModel(s string) (Model, error) {
	for _, m := range Models {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown consistency model %q, want one of %v", s, Models)
}

// implies: a history that satisfies the key satisfies each model listed.
var implies = map[Model][]Model{
	StrictSerializable:        {Serializable, StrongSessionSerializable},
	StrongSessionSerializable: {Serializable},
	Serializable:              {SnapshotIsolation, RepeatableRead},
	SnapshotIsolation:         {ReadCommitted},
	RepeatableRead:            {ReadCommitted},
	ReadCommitted:             {ReadUncommitted},
}

// prohibits lists the anomalies each model prohibits directly (weaker
// models add theirs through implies; anomalies that imply a listed one are
// prohibited too). Snapshot isolation and repeatable read take what Elle
// gives the models between them and read committed (cursor stability's
// lost update, consistent view's G-single).
var prohibits = map[Model][]string{
	ReadUncommitted:           {"G0", "duplicate-elements", "cyclic-versions"},
	ReadCommitted:             {"G1"},
	RepeatableRead:            {"G1", "G2-item", "lost-update"},
	SnapshotIsolation:         {"internal", "G1", "G-single", "G-nonadjacent", "lost-update"},
	Serializable:              {"internal", "G1", "G2"},
	StrongSessionSerializable: {"G1-process", "G2-process"},
	StrictSerializable:        {"G1", "G1c-realtime", "G2-realtime"},
}

// impliedAnomalies: a history with the key anomaly has each listed one too
// (Elle's implied-anomalies, restricted to what this checker finds).
var impliedAnomalies = map[string][]string{
	"G0":                          {"G1c", "G0-process"},
	"G0-process":                  {"G1c-process", "G0-realtime"},
	"G0-realtime":                 {"G1c-realtime"},
	"G1a":                         {"G1"},
	"G1b":                         {"G1"},
	"G1c":                         {"G1", "G1c-process"},
	"G1c-process":                 {"G1c-realtime", "G1-process"},
	"G1c-realtime":                {"G1-realtime"},
	"G1":                          {"G1-process"},
	"G1-process":                  {"G1-realtime"},
	"G-single-item":               {"G-single", "G-single-item-process", "G-nonadjacent-item"},
	"G-single-item-process":       {"G-single-process", "G-single-item-realtime", "G-nonadjacent-item-process"},
	"G-single-item-realtime":      {"G-single-realtime", "G-nonadjacent-item-realtime"},
	"G-single":                    {"G-nonadjacent", "G-single-process"},
	"G-single-process":            {"G-nonadjacent-process", "G-single-realtime"},
	"G-single-realtime":           {"G-nonadjacent-realtime"},
	"G-nonadjacent-item":          {"G-nonadjacent", "G2-item", "G-nonadjacent-item-process"},
	"G-nonadjacent-item-process":  {"G-nonadjacent-process", "G2-item-process", "G-nonadjacent-item-realtime"},
	"G-nonadjacent-item-realtime": {"G2-item-realtime", "G-nonadjacent-realtime"},
	"G-nonadjacent":               {"G2", "G-nonadjacent-process"},
	"G-nonadjacent-process":       {"G2-process", "G-nonadjacent-realtime"},
	"G-nonadjacent-realtime":      {"G2-realtime"},
	"G2":                          {"G2-process"},
	"G2-item":                     {"G2", "G2-item-process"},
	"G2-item-process":             {"G2-process", "G2-item-realtime"},
	"G2-item-realtime":            {"G2-realtime"},
	"G2-process":                  {"G2-realtime"},
	"incompatible-order":          {"G1a"},
	"future-read":                 {"G1c"},
	"dirty-update":                {"G1a"},
	"never-written":               {"G1a"},
	"lost-update":                 {"G2-item"},
}

// unknownAnomalies make a verdict Unknown rather than Invalid when nothing
// else is wrong: they say the check could not judge, not that the history
// is wrong.
var unknownAnomalies = map[string]bool{"empty-transaction-graph": true, "cycle-search-cut": true, "duplicate-appends": true}

// closure returns start and everything reachable from it through next.
func closure[T comparable](start []T, next func(T) []T) map[T]bool {
	seen := map[T]bool{}
	todo := slices.Clone(start)
	for len(todo) > 0 {
		x := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		todo = append(todo, next(x)...)
	}
	return seen
}

// allImplied returns the anomalies implied by any of as, as included.
func allImplied(as []string) map[string]bool {
	return closure(as, func(a string) []string { return impliedAnomalies[a] })
}

// impliedBy inverts impliedAnomalies.
var impliedBy = func() map[string][]string {
	m := map[string][]string{}
	for a, bs := range impliedAnomalies {
		for _, b := range bs {
			m[b] = append(m[b], a)
		}
	}
	for _, v := range m {
		slices.Sort(v)
	}
	return m
}()

// prohibited returns the anomalies that violate any of the models, or that
// are, or imply, one of extra (Elle's :anomalies option).
func prohibited(models []Model, extra []string) map[string]bool {
	ms := closure(models, func(m Model) []Model { return implies[m] })
	var direct []string
	for m := range ms {
		direct = append(direct, prohibits[m]...)
	}
	direct = append(direct, extra...)
	return closure(direct, func(a string) []string { return impliedBy[a] })
}

// impossible returns the models, strongest first, that a history with
// the anomalies found cannot satisfy.
func impossible(found []string) []Model {
	has := allImplied(found)
	var out []Model
	for _, m := range Models {
		ms := closure([]Model{m}, func(m Model) []Model { return implies[m] })
		for w := range ms {
			if slices.ContainsFunc(prohibits[w], func(a string) bool { return has[a] }) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// weakest returns the models of ms that no other model of ms is implied by
// (the boundary: "not read-committed" says more than "not serializable").
func weakest(ms []Model) []Model {
	var out []Model
	for _, m := range ms {
		weaker := false
		for _, o := range ms {
			if o != m && closure([]Model{m}, func(m Model) []Model { return implies[m] })[o] {
				weaker = true
				break
			}
		}
		if !weaker {
			out = append(out, m)
		}
	}
	return out
}

// needsRealtime and needsProcess say which order edges a check must add:
// real time when a real-time anomaly is prohibited, else process order
// when a process anomaly is.
func needsRealtime(p map[string]bool) bool { return hasSuffixed(p, "-realtime") }
func needsProcess(p map[string]bool) bool  { return hasSuffixed(p, "-process") }

func hasSuffixed(p map[string]bool, suffix string) bool {
	for a := range p {
		if len(a) > len(suffix) && a[len(a)-len(suffix):] == suffix {
			return true
		}
	}
	return false
}
