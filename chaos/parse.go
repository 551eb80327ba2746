package chaos

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"faultline/transport"
	"faultline/workloads"
)

// Limits on a schedule, so that a typo cannot start a million faults.
const (
	maxEntries     = 1000
	maxOccurrences = 10000
	minInterval    = 10 * time.Millisecond
)

// Parse reads a fault schedule from the "faults" node of a config, whose
// path in the config is root ("faults"). It reports every problem found, as
// workloads.Errors with paths under root and the node's line. Whether the
// cluster has the nodes an entry names or needs is checked against the
// backend (Nemesis.CheckDeclared, Setup).
//
// The node is either a mapping with keys seed, recovery and schedule, or a
// bare list of entries (the schedule alone).
func Parse(n *yaml.Node, root string) (*Schedule, error) {
	p := &parser{}
	s := p.schedule(n, root)
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *workloads.FieldError) int { return a.Line - b.Line })
		return nil, p.errs
	}
	return s, nil
}

type parser struct{ errs workloads.Errors }

func (p *parser) add(n *yaml.Node, path, format string, args ...any) {
	fe := &workloads.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		fe.Line = n.Line
	}
	p.errs = append(p.errs, fe)
}

// fields walks a mapping, calling f for each key, rejecting duplicates and
// non-mappings.
func (p *parser) fields(n *yaml.Node, path string, f func(key string, v *yaml.Node, kpath string)) bool {
	if n.Kind != yaml.MappingNode {
		p.add(n, path, "want a mapping")
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := path + "." + k.Value
		if seen[k.Value] {
			p.add(k, kp, "repeated key")
			continue
		}
		seen[k.Value] = true
		f(k.Value, v, kp)
	}
	return true
}

func (p *parser) schedule(n *yaml.Node, root string) *Schedule {
	s := &Schedule{}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	var list *yaml.Node
	listPath := root
	switch n.Kind {
	case yaml.SequenceNode:
		list = n
	case yaml.MappingNode:
		p.fields(n, root, func(key string, v *yaml.Node, kp string) {
			switch key {
			case "seed":
				s.Seed = p.int(v, kp)
			case "recovery":
				s.Recovery = p.duration(v, kp)
			case "schedule":
				list, listPath = v, kp
			default:
				p.add(v, kp, "unknown key, want seed, recovery or schedule")
			}
		})
		if list == nil {
			p.add(n, root+".schedule", "missing: a list of faults")
		}
	default:
		p.add(n, root, "want a mapping (seed, recovery, schedule) or a list of faults")
	}
	if s.Recovery == 0 {
		s.Recovery = DefaultRecovery
	}
	if list == nil {
		return s
	}
	if list.Kind != yaml.SequenceNode {
		p.add(list, listPath, "want a list of faults")
		return s
	}
	if len(list.Content) > maxEntries {
		p.add(list, listPath, "%d faults, at most %d", len(list.Content), maxEntries)
		return s
	}
	for i, en := range list.Content {
		e := p.entry(en, fmt.Sprintf("%s[%d]", listPath, i))
		s.Entries = append(s.Entries, e)
	}
	return s
}

// entryKeys are the keys an entry may have, per kind (common ones aside).
var (
	commonKeys  = []string{"fault", "at", "every", "random", "start", "for"}
	networkKeys = []string{"target", "nodes", "links", "delay", "jitter", "distribution", "loss", "burst",
		"duplicate", "reorder", "reorder_delay", "bandwidth", "conn", "slow_close"}
	kindKeys = map[Kind][]string{
		KindNetwork:   networkKeys,
		KindPartition: {"shape", "target", "nodes", "direction"},
		KindKill:      {"target", "nodes"},
		KindPause:     {"target", "nodes"},
		KindJoin:      {"groups"},
		KindLeave:     {"groups"},
		KindMove:      {},
		KindPowerLoss: {"target", "nodes", "mode"},
		KindDiskFull:  {"target", "nodes", "budget"},
		KindIOError:   {"target", "nodes", "ops", "files"},
		KindSlowDisk:  {"target", "nodes", "delay", "jitter", "distribution", "writes"},
		KindCorrupt:   {"target", "nodes", "files", "offset", "length", "bits", "on_read"},
	}
)

func (p *parser) entry(n *yaml.Node, path string) Entry {
	e := Entry{Path: path, Line: n.Line}
	vals := map[string]*yaml.Node{}
	paths := map[string]string{}
	if !p.fields(n, path, func(key string, v *yaml.Node, kp string) { vals[key], paths[key] = v, kp }) {
		return e
	}
	fv, ok := vals["fault"]
	if !ok {
		p.add(n, path+".fault", "missing: one of %s", kindList())
		return e
	}
	e.Fault = Kind(fv.Value)
	if fv.Kind != yaml.ScalarNode || !e.Fault.known() {
		p.add(fv, paths["fault"], "unknown fault %q, want one of %s", fv.Value, kindList())
		return e
	}
	allowed := map[string]bool{}
	for _, k := range append(append([]string(nil), commonKeys...), kindKeys[e.Fault]...) {
		allowed[k] = true
	}
	for k, v := range vals {
		if !allowed[k] {
			p.add(v, paths[k], "unknown key for fault %s, want one of %s", e.Fault, strings.Join(append(append([]string(nil), commonKeys...), kindKeys[e.Fault]...), ", "))
		}
	}
	p.timing(&e, n, vals, paths)
	switch e.Fault {
	case KindNetwork:
		p.network(&e, n, vals, paths)
	case KindPartition:
		p.partition(&e, n, vals, paths)
	case KindKill, KindPause:
		p.target(&e, vals, paths, TargetRandom, nil)
	case KindJoin, KindLeave:
		e.Groups = 1
		if v, ok := vals["groups"]; ok {
			e.Groups = p.int64Range(v, paths["groups"], 1, 100)
		}
	default:
		p.storage(&e, n, vals, paths)
	}
	return e
}

func kindList() string {
	var s []string
	for _, k := range Kinds() {
		s = append(s, k[0])
	}
	return strings.Join(s, ", ")
}

func (p *parser) timing(e *Entry, n *yaml.Node, vals map[string]*yaml.Node, paths map[string]string) {
	var set []string
	for _, k := range []string{"at", "every", "random"} {
		if _, ok := vals[k]; ok {
			set = append(set, k)
		}
	}
	if len(set) != 1 {
		p.add(n, e.Path, "want exactly one of at, every or random, got %d", len(set))
		return
	}
	switch set[0] {
	case "at":
		e.Timing = Once
		e.At = p.duration(vals["at"], paths["at"])
		if v, ok := vals["start"]; ok {
			p.add(v, paths["start"], "start goes with every or random, not at")
		}
	case "every", "random":
		e.Timing = Every
		if set[0] == "random" {
			e.Timing = Random
		}
		v := vals[set[0]]
		before := len(p.errs)
		e.Interval = p.duration(v, paths[set[0]])
		if e.Interval < minInterval && len(p.errs) == before {
			p.add(v, paths[set[0]], "want an interval of at least %v", minInterval)
		}
		e.Start = e.Interval
		if e.Timing == Random {
			e.Start = 0
		}
		if v, ok := vals["start"]; ok {
			e.Start = p.duration(v, paths["start"])
		}
	}
	v, ok := vals["for"]
	switch {
	case e.Fault.window() && !ok:
		if !e.Fault.forOptional() {
			p.add(n, e.Path+".for", "missing: how long the %s lasts", e.Fault)
		}
	case e.Fault.window():
		before := len(p.errs)
		e.For = p.duration(v, paths["for"])
		if e.For <= 0 && len(p.errs) == before {
			p.add(v, paths["for"], "want a duration > 0")
		}
	case ok:
		p.add(v, paths["for"], "fault %s happens at once and has no duration", e.Fault)
	}
}

// target reads target and nodes. allowed limits the named targets (nil:
// all but nodes); def is the default.
func (p *parser) target(e *Entry, vals map[string]*yaml.Node, paths map[string]string, def Target, allowed []Target) {
	if allowed == nil {
		allowed = []Target{TargetRandom, TargetLeader, TargetMinority, TargetMajority, TargetAll}
	}
	e.Target = def
	if v, ok := vals["nodes"]; ok {
		e.Target = TargetNodes
		e.Nodes = p.strings(v, paths["nodes"])
		if len(e.Nodes) == 0 {
			p.add(v, paths["nodes"], "want at least one node name")
		}
		if t, ok := vals["target"]; ok {
			p.add(t, paths["target"], "give target or nodes, not both")
		}
		return
	}
	v, ok := vals["target"]
	if !ok {
		return
	}
	e.Target = Target(v.Value)
	for _, t := range allowed {
		if e.Target == t {
			return
		}
	}
	var names []string
	for _, t := range allowed {
		names = append(names, string(t))
	}
	p.add(v, paths["target"], "unknown target %q, want one of %s (or a list under nodes)", v.Value, strings.Join(names, ", "))
}

func (p *parser) partition(e *Entry, n *yaml.Node, vals map[string]*yaml.Node, paths map[string]string) {
	v, ok := vals["shape"]
	if !ok {
		p.add(n, e.Path+".shape", "missing: one of halves, majority, isolate, leader, bridge, ring, one-way")
		return
	}
	e.Shape = Shape(v.Value)
	if !e.Shape.known() {
		p.add(v, paths["shape"], "unknown shape %q, want one of halves, majority, isolate, leader, bridge, ring, one-way", v.Value)
		return
	}
	switch e.Shape {
	case ShapeIsolate, ShapeOneWay:
		p.target(e, vals, paths, TargetRandom, []Target{TargetRandom, TargetLeader})
		if e.Target == TargetNodes && len(e.Nodes) != 1 {
			p.add(vals["nodes"], paths["nodes"], "shape %s takes exactly one node", e.Shape)
		}
	case ShapeLeader:
		e.Target = TargetLeader
		p.noKey(vals, paths, "shape leader always targets the leader", "target", "nodes")
	default:
		p.noKey(vals, paths, "shape "+string(e.Shape)+" chooses its own nodes", "target", "nodes")
	}
	if d, ok := vals["direction"]; ok {
		if e.Shape != ShapeOneWay {
			p.add(d, paths["direction"], "direction goes with shape one-way")
		} else if p.oneOf(d, paths["direction"], "direction", "in", "out") {
			e.Inbound = d.Value == "in"
		}
	}
}

func (p *parser) noKey(vals map[string]*yaml.Node, paths map[string]string, why string, keys ...string) {
	for _, k := range keys {
		if v, ok := vals[k]; ok {
			p.add(v, paths[k], "%s", why)
		}
	}
}

func (p *parser) network(e *Entry, n *yaml.Node, vals map[string]*yaml.Node, paths map[string]string) {
	p.target(e, vals, paths, TargetAll, nil)
	if v, ok := vals["links"]; ok {
		if _, t := vals["target"]; t {
			p.add(v, paths["links"], "give links or target, not both")
		}
		if _, t := vals["nodes"]; t {
			p.add(v, paths["links"], "give links or nodes, not both")
		}
		list := p.strings(v, paths["links"])
		for i, s := range list {
			from, to, ok := strings.Cut(s, "->")
			from, to = strings.TrimSpace(from), strings.TrimSpace(to)
			if !ok || from == "" || to == "" || from == to {
				p.add(v, fmt.Sprintf("%s[%d]", paths["links"], i), "link %q, want \"from->to\" between two different nodes", s)
				continue
			}
			e.Links = append(e.Links, [2]string{from, to})
		}
		if len(list) == 0 {
			p.add(v, paths["links"], "want at least one link")
		}
	}
	l := &e.Link
	p.latency(l, vals, paths)
	dur := func(k string, d *time.Duration) {
		if v, ok := vals[k]; ok {
			if *d = p.duration(v, paths[k]); *d < 0 {
				p.add(v, paths[k], "want a duration >= 0")
			}
		}
	}
	prob := func(k string, f *float64) {
		if v, ok := vals[k]; ok {
			*f = p.prob(v, paths[k])
		}
	}
	dur("reorder_delay", &l.ReorderDelay)
	dur("slow_close", &l.SlowClose)
	prob("loss", &l.Drop)
	prob("duplicate", &l.Duplicate)
	prob("reorder", &l.Reorder)
	if v, ok := vals["burst"]; ok {
		l.Burst = p.float(v, paths["burst"])
		switch {
		case l.Burst < 1:
			p.add(v, paths["burst"], "want the mean length of a loss burst, >= 1 (messages)")
		case l.Drop == 0:
			p.add(v, paths["burst"], "burst shapes loss; give loss too")
		case l.Drop >= 1:
			p.add(v, paths["burst"], "burst with loss 1 means nothing; use loss < 1")
		}
	}
	if v, ok := vals["bandwidth"]; ok {
		l.Bandwidth = p.bandwidth(v, paths["bandwidth"])
	}
	if v, ok := vals["conn"]; ok {
		l.Conn = transport.ConnFault(v.Value)
		p.oneOf(v, paths["conn"], "connection fault", string(transport.ConnReset), string(transport.ConnStall), string(transport.ConnSlowClose))
	}
	if v, ok := vals["slow_close"]; ok && l.Conn != transport.ConnSlowClose {
		p.add(v, paths["slow_close"], "slow_close goes with conn: slow-close")
	}
	if v, ok := vals["reorder_delay"]; ok && l.Reorder == 0 {
		p.add(v, paths["reorder_delay"], "reorder_delay goes with reorder")
	}
	given := false
	for _, k := range []string{"delay", "jitter", "loss", "duplicate", "reorder", "bandwidth", "conn"} {
		_, ok := vals[k]
		given = given || ok
	}
	if !given {
		p.add(n, e.Path, "a network fault needs at least one of delay, jitter, loss, duplicate, reorder, bandwidth or conn")
	}
}

// latency reads a delay: delay (the mean), jitter (its spread) and
// distribution (uniform, normal or pareto), as network and slow-disk
// faults share them.
func (p *parser) latency(l *transport.LinkFaults, vals map[string]*yaml.Node, paths map[string]string) {
	if v, ok := vals["delay"]; ok {
		l.Delay = p.duration(v, paths["delay"])
	}
	if v, ok := vals["jitter"]; ok {
		l.Jitter = p.duration(v, paths["jitter"])
	}
	if v, ok := vals["distribution"]; ok {
		l.Distribution = transport.Distribution(v.Value)
		p.oneOf(v, paths["distribution"], "distribution", string(transport.DelayUniform), string(transport.DelayNormal), string(transport.DelayPareto))
		if l.Jitter == 0 {
			p.add(v, paths["distribution"], "a distribution shapes the jitter; give jitter too")
		}
	}
}

// oneOf reports whether v's value is one of allowed, adding an error that
// names them if it is not.
func (p *parser) oneOf(v *yaml.Node, path, what string, allowed ...string) bool {
	if slices.Contains(allowed, v.Value) {
		return true
	}
	p.add(v, path, "unknown %s %q, want %s or %s", what, v.Value, strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1])
	return false
}

func (p *parser) scalar(v *yaml.Node, path, want string) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		p.add(v, path, "want %s", want)
		return "", false
	}
	return v.Value, true
}

func (p *parser) duration(v *yaml.Node, path string) time.Duration {
	s, ok := p.scalar(v, path, "a duration such as \"5s\"")
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.add(v, path, "%q is not a duration, want one such as \"5s\" or \"250ms\"", s)
		return 0
	}
	if d < 0 {
		p.add(v, path, "want a duration >= 0, got %v", d)
		return 0
	}
	return d
}

func (p *parser) int(v *yaml.Node, path string) int64 {
	s, ok := p.scalar(v, path, "an integer")
	if !ok {
		return 0
	}
	i, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		p.add(v, path, "%q is not an integer", s)
	}
	return i
}

func (p *parser) int64Range(v *yaml.Node, path string, lo, hi int64) int {
	i := p.int(v, path)
	if i < lo || i > hi {
		p.add(v, path, "%d, want %d to %d", i, lo, hi)
	}
	return int(i)
}

func (p *parser) float(v *yaml.Node, path string) float64 {
	s, ok := p.scalar(v, path, "a number")
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.add(v, path, "%q is not a number", s)
		return 0
	}
	if strings.HasSuffix(s, "%") {
		f /= 100
	}
	return f
}

// prob reads a probability: 0.05 or "5%".
func (p *parser) prob(v *yaml.Node, path string) float64 {
	f := p.float(v, path)
	if f < 0 || f > 1 {
		p.add(v, path, "%s, want a probability in [0, 1] (0.05 or 5%%)", v.Value)
		return 0
	}
	return f
}

func (p *parser) strings(v *yaml.Node, path string) []string {
	if v.Kind == yaml.ScalarNode {
		return []string{v.Value}
	}
	if v.Kind != yaml.SequenceNode {
		p.add(v, path, "want a list of names")
		return nil
	}
	var out []string
	for i, c := range v.Content {
		if c.Kind != yaml.ScalarNode || c.Value == "" {
			p.add(c, fmt.Sprintf("%s[%d]", path, i), "want a name")
			continue
		}
		out = append(out, c.Value)
	}
	return out
}

var bandwidthRE = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgG]?i?)(B|bit|b)(?:/s|ps)\s*$`)

// bandwidth reads a rate: a plain number of bytes per second, or a number
// with a unit such as "512KB/s", "1MiB/s" or "10Mbit/s".
func (p *parser) bandwidth(v *yaml.Node, path string) int64 {
	s, ok := p.scalar(v, path, "a rate such as \"1MB/s\" or \"10Mbit/s\"")
	if !ok {
		return 0
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if i <= 0 {
			p.add(v, path, "want a rate > 0")
		}
		return i
	}
	m := bandwidthRE.FindStringSubmatch(s)
	if m == nil {
		p.add(v, path, "%q is not a rate, want one such as \"1MB/s\", \"512KiB/s\" or \"10Mbit/s\"", s)
		return 0
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	mult := map[string]float64{"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "ki": 1 << 10, "mi": 1 << 20, "gi": 1 << 30}[strings.ToLower(m[2])]
	f *= mult
	if m[3] != "B" {
		f /= 8
	}
	if f < 1 || f > math.MaxInt64/2 {
		p.add(v, path, "%q, want a rate of at least 1 byte per second", s)
		return 0
	}
	return int64(f)
}
