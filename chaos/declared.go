package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/workloads"
)

// needs lists the powers entry e needs from a cluster (as Setup checks
// them on a started one).
func (e *Entry) needs() []backend.Power {
	var p []backend.Power
	switch e.Fault {
	case KindKill:
		p = append(p, backend.PowerKill)
	case KindPause:
		p = append(p, backend.PowerPause)
	case KindPartition, KindNetwork:
		p = append(p, backend.PowerLinks)
	case KindJoin, KindLeave, KindMove:
		p = append(p, backend.PowerMembership)
	case KindPowerLoss, KindDiskFull, KindIOError, KindSlowDisk, KindCorrupt:
		p = append(p, storageNeeds(e.Fault)...)
	}
	if e.Target == TargetLeader || (e.Fault == KindPartition && e.Shape == ShapeLeader) {
		p = append(p, backend.PowerLeader)
	}
	return p
}

// powerText says what each power is, for refusals.
var powerText = map[backend.Power]string{
	backend.PowerKill:       "crash and restart nodes",
	backend.PowerPause:      "freeze and resume nodes (process mode only, where a backend can at all)",
	backend.PowerLeader:     "name its leader",
	backend.PowerMembership: "join, remove and move replica groups (sharded backends)",
	backend.PowerLinks:      "fault the links between two nodes or more (a link fault table; etcd needs the option peer-proxy: true)",
	backend.PowerStorage:    "fault its nodes' storage (the harness mounts a fault-injecting file system over data directories it controls: raftkv in process mode; not memory, in-process nodes, or nodes whose data directory is their own)",
}

// LinkDeclarer is a backend.Declarer whose clusters have a link fault
// table: it says which link faults the table of the cluster Start would
// return for spec applies. Without it a network fault's fields are
// checked only once the cluster has started.
type LinkDeclarer interface {
	LinkSupport(spec backend.Spec) transport.FaultSupport
}

// CheckDeclared refuses, before any cluster starts, every entry of the
// schedule that b's declaration for spec rules out (when b is a
// backend.Declarer; otherwise Setup checks the started cluster): a power
// b does not declare, a node its cluster will not have, more nodes than
// it will have, or a network fault its link table does not apply
// (LinkDeclarer). Its errors are workloads.FieldErrors naming the fault,
// the backend and why.
func (n *Nemesis) CheckDeclared(b backend.Backend, spec backend.Spec) error {
	d, ok := b.(backend.Declarer)
	if !ok {
		return nil
	}
	have, nodes := d.Powers(spec), d.Nodes(spec)
	var es workloads.Errors
	refuse := func(e *Entry, key, msg string) {
		es = append(es, &workloads.FieldError{Path: e.Path + key, Line: e.Line,
			Msg: fmt.Sprintf("backend %q (%s) cannot take %s: %s", b.Name(), describeSpec(spec), e, msg)})
	}
	for i := range n.sched.Entries {
		e := &n.sched.Entries[i]
		for _, p := range e.needs() {
			if !slices.Contains(have, p) {
				refuse(e, ".fault", fmt.Sprintf("its clusters cannot %s (it declares %s)", powerText[p], describePowers(have)))
			}
		}
		for _, msg := range e.nodeProblems(nodes) {
			refuse(e, "", msg)
		}
		if ld, ok := b.(LinkDeclarer); ok && e.Fault == KindNetwork && slices.Contains(have, backend.PowerLinks) {
			if err := ld.LinkSupport(spec).SupportsLink(e.Link); err != nil {
				refuse(e, "", "its link fault table cannot apply it: "+err.Error())
			}
		}
	}
	if len(es) > 0 {
		return es
	}
	return nil
}

// nodeProblems says why e cannot run on a cluster whose nodes are nodes:
// a node it names that is not one of them, or a partition shape or
// network fault needing more of them.
func (e *Entry) nodeProblems(nodes []string) []string {
	var out []string
	for _, x := range append(slices.Clone(e.Nodes), flatten(e.Links)...) {
		if !slices.Contains(nodes, x) {
			out = append(out, fmt.Sprintf("no node %q (its nodes are %s)", x, strings.Join(nodes, ", ")))
		}
	}
	need, what := 0, ""
	switch e.Fault {
	case KindNetwork:
		need, what = 2, "a network fault"
	case KindPartition:
		need, what = 2, "shape "+string(e.Shape)
		if e.Shape == ShapeBridge || e.Shape == ShapeRing {
			need = 3
		}
	}
	if len(nodes) < need {
		out = append(out, fmt.Sprintf("%s needs at least %d nodes, the cluster has %d", what, need, len(nodes)))
	}
	return out
}

func describeSpec(spec backend.Spec) string {
	s := fmt.Sprintf("%d node(s), %s mode", spec.Nodes, spec.Mode)
	if len(spec.Options) > 0 {
		var o []string
		for _, k := range slices.Sorted(maps.Keys(spec.Options)) {
			o = append(o, k+"="+spec.Options[k])
		}
		s += ", options " + strings.Join(o, " ")
	}
	return s
}

func describePowers(p []backend.Power) string {
	if len(p) == 0 {
		return "no fault powers"
	}
	s := make([]string, len(p))
	for i, x := range p {
		s[i] = string(x)
	}
	return "powers: " + strings.Join(s, ", ")
}
