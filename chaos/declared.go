package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"faultline/system/backend"
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
}

// CheckPowers refuses, before any cluster starts, every entry of the
// schedule that needs a power b does not declare for spec (when b is a
// backend.Declarer; otherwise Setup checks the started cluster). Its
// errors are workloads.FieldErrors naming the fault, the backend and why.
func (n *Nemesis) CheckPowers(b backend.Backend, spec backend.Spec) error {
	d, ok := b.(backend.Declarer)
	if !ok {
		return nil
	}
	have := d.Powers(spec)
	var es workloads.Errors
	for i := range n.sched.Entries {
		e := &n.sched.Entries[i]
		for _, p := range e.needs() {
			if slices.Contains(have, p) {
				continue
			}
			es = append(es, &workloads.FieldError{Path: e.Path + ".fault", Line: e.Line,
				Msg: fmt.Sprintf("backend %q (%s) cannot take %s: its clusters cannot %s (it declares %s)",
					b.Name(), describeSpec(spec), e, powerText[p], describePowers(have))})
		}
	}
	if len(es) > 0 {
		return es
	}
	return nil
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
