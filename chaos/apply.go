package chaos

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"faultline/transport"
	"faultline/workloads/results"
)

// defaultLeaderWait bounds the search for a leader when a fault targets it.
const defaultLeaderWait = 5 * time.Second

// occurrence is one firing of a schedule entry while it is applied.
type occurrence struct {
	e *Entry
	// f is its record: intended window, actual window, attempts.
	f results.Fault
	// tries counts the attempts to apply it.
	tries attempts
	// deadline is the last moment to try: the end of its window.
	deadline time.Time
}

// apply starts one occurrence: it chooses the nodes and applies the fault,
// retrying (bounded backoff) what fails until o.deadline, and records its
// window (or point). It returns the window in effect, or nil when there is
// nothing to undo (an instantaneous fault, or one that never took effect:
// then the error says why).
func (n *Nemesis) apply(ctx context.Context, ev recorder, o *occurrence) (*window, error) {
	switch o.e.Fault {
	case KindKill, KindPause:
		return n.process(ctx, ev, o, n.signalOps(o.e))
	case KindPowerLoss:
		return n.process(ctx, ev, o, n.powerLossOps(o.e))
	case KindDiskFull, KindIOError, KindSlowDisk, KindCorrupt:
		return n.process(ctx, ev, o, n.storageOps(o.e))
	case KindPartition:
		return n.linkWindow(ctx, ev, o, n.partitionLinks)
	case KindNetwork:
		return n.linkWindow(ctx, ev, o, n.networkLinks)
	case KindJoin, KindLeave, KindMove:
		return nil, n.membership(ctx, ev, o)
	}
	return nil, fmt.Errorf("unknown fault %q", o.e.Fault)
}

// findLeader asks for the leader until one is named or n.leaderWait passes.
func (n *Nemesis) findLeader(ctx context.Context) string {
	if n.leader == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, n.leaderWait)
	defer cancel()
	for {
		l, err := n.leader.Leader(ctx)
		if err == nil && l != "" {
			return l
		}
		if !sleepUntil(ctx, time.Now().Add(50*time.Millisecond)) {
			return ""
		}
	}
}

// up lists the nodes neither killed nor paused. n.mu is held.
func (n *Nemesis) up() []string {
	var out []string
	for _, x := range n.nodes {
		if !n.down[x] && !n.paused[x] {
			out = append(out, x)
		}
	}
	return out
}

// targets chooses e's nodes among those up. With claim, the chosen nodes
// are marked in it in the same critical section, so that two faults
// starting at once never take the same node.
func (n *Nemesis) targets(ctx context.Context, e *Entry, claim map[string]bool) []string {
	leader := ""
	if e.Target == TargetLeader {
		leader = n.findLeader(ctx)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	out := pick(e.Target, e.Nodes, n.up(), leader, len(n.nodes), n.rng)
	for _, x := range out {
		if claim != nil {
			claim[x] = true
		}
	}
	return out
}

// nodeOps is how a fault acts on each of its nodes, one by one.
type nodeOps struct {
	// mark claims the chosen nodes (n.down, n.paused, or the window's own).
	mark         map[string]bool
	do, undo     func(ctx context.Context, node string) error
	verb, unverb string
	// notes, if set, says more about what do did, for the description.
	notes func() string
}

// signalOps kills and restarts, or pauses and resumes.
func (n *Nemesis) signalOps(e *Entry) nodeOps {
	if e.Fault == KindPause {
		return nodeOps{mark: n.paused, do: n.pauser.Pause, undo: n.pauser.Resume, verb: "pause", unverb: "resume"}
	}
	return nodeOps{mark: n.down, do: n.killer.Kill, undo: n.killer.Restart, verb: "kill", unverb: "restart"}
}

// process applies ops to the target nodes, retrying the nodes that fail.
func (n *Nemesis) process(ctx context.Context, ev recorder, o *occurrence, ops nodeOps) (*window, error) {
	e := o.e
	mark, do, undo, verb, unverb := ops.mark, ops.do, ops.undo, ops.verb, ops.unverb
	var nodes, done []string
	err := retry(ctx, o.deadline, &o.tries, retrying(ev, e, nil, o.deadline), func() error {
		if len(nodes) == 0 {
			if nodes = n.targets(ctx, e, mark); len(nodes) == 0 {
				return fmt.Errorf("%w: no target node up", errNoTarget)
			}
		}
		for _, x := range nodes {
			if slices.Contains(done, x) {
				continue
			}
			if err := do(ctx, x); err != nil {
				return fmt.Errorf("%s %s: %w", verb, x, err)
			}
			done = append(done, x)
		}
		return nil
	})
	o.f.Nodes = nodes
	undone := map[string]bool{}
	w := &window{id: n.newID(), entry: e, nodes: done, undo: func(ctx context.Context) error {
		var errs []string
		for _, x := range done {
			if undone[x] {
				continue
			}
			if err := undo(ctx, x); err != nil {
				errs = append(errs, fmt.Sprintf("%s %s: %v", unverb, x, err))
				continue
			}
			undone[x] = true
		}
		if errs != nil {
			return fmt.Errorf("%s", strings.Join(errs, "; "))
		}
		n.mu.Lock()
		for _, x := range nodes {
			delete(mark, x)
		}
		n.mu.Unlock()
		return nil
	}}
	if err != nil {
		n.partial(ctx, ev, w, fmt.Sprintf("%s %s", verb, strings.Join(done, " ")))
		return nil, err
	}
	o.f.Desc = fmt.Sprintf("%s %s", verb, strings.Join(done, " "))
	if ops.notes != nil {
		o.f.Desc += ": " + ops.notes()
	}
	n.open(ev, w, o)
	return w, nil
}

// open records window w of occurrence o as in effect from now.
func (n *Nemesis) open(ev recorder, w *window, o *occurrence) {
	w.ev, w.opened, w.f = ev.Begin(string(o.e.Fault), w.nodes, o.f.Desc), true, &o.f
	o.f.StartNS = ev.Now()
	n.register(w)
}

// partial undoes what a fault that never completely took effect did (the
// nodes in w.nodes, or its links), with a point saying so; if that cannot
// be undone now, w stays registered for the final heal.
func (n *Nemesis) partial(ctx context.Context, ev recorder, w *window, did string) {
	if len(w.nodes) == 0 && w.links == nil {
		w.undo(ctx) // releases the claimed nodes; nothing was done
		return
	}
	ev.Point("nemesis-error", w.nodes, fmt.Sprintf("%s (%s) only partly took effect (%s); undoing it", w.entry, w.entry.Path, did))
	n.register(w)
	n.finish(ctx, ev, w, time.Now().Add(n.healWait), false)
}

// newID returns a fresh window id.
func (n *Nemesis) newID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nextID++
	return n.nextID
}

func (n *Nemesis) register(w *window) {
	n.mu.Lock()
	n.active[w.id] = w
	n.mu.Unlock()
}

// linkSpec is the link faults of one occurrence of a network fault or
// partition, with the nodes it touches and a description.
type linkSpec struct {
	links map[[2]string]transport.LinkFaults
	nodes []string
	desc  string
}

// partitionLinks blocks the links of a shape.
func (n *Nemesis) partitionLinks(ctx context.Context, e *Entry) (*linkSpec, error) {
	target := ""
	switch e.Shape {
	case ShapeIsolate, ShapeLeader, ShapeOneWay:
		t := n.targets(ctx, e, nil)
		if len(t) == 0 {
			return nil, fmt.Errorf("%w: no target node (no leader, or none up)", errNoTarget)
		}
		target = t[0]
	}
	n.mu.Lock()
	c, desc := partition(e.Shape, n.nodes, target, e.Inbound, n.rng)
	n.mu.Unlock()
	spec := make(map[[2]string]transport.LinkFaults, len(c))
	for l := range c {
		spec[l] = transport.LinkFaults{Blocked: true}
	}
	return &linkSpec{spec, c.nodes(), fmt.Sprintf("partition %s: %s", e.Shape, desc)}, nil
}

// networkLinks applies e.Link to the chosen links.
func (n *Nemesis) networkLinks(ctx context.Context, e *Entry) (*linkSpec, error) {
	spec := map[[2]string]transport.LinkFaults{}
	var nodes []string
	if len(e.Links) > 0 {
		for _, l := range e.Links {
			spec[l] = e.Link
			nodes = append(nodes, l[0], l[1])
		}
		slices.Sort(nodes)
		nodes = slices.Compact(nodes)
	} else {
		nodes = n.targets(ctx, e, nil)
		if e.Target == TargetAll {
			nodes = slices.Clone(n.nodes)
		}
		if len(nodes) == 0 {
			return nil, fmt.Errorf("%w: no target node", errNoTarget)
		}
		for _, x := range nodes {
			for _, y := range n.nodes {
				if x != y {
					spec[[2]string{x, y}] = e.Link
					spec[[2]string{y, x}] = e.Link
				}
			}
		}
	}
	return &linkSpec{spec, nodes, fmt.Sprintf("network %s on %s", describeLink(e.Link), linksDesc(e, nodes))}, nil
}
func linksDesc(e *Entry, nodes []string) string {
	if len(e.Links) > 0 {
		var s []string
		for _, l := range e.Links {
			s = append(s, l[0]+"->"+l[1])
		}
		return strings.Join(s, " ")
	}
	return strings.Join(nodes, " ")
}

// describeLink prints the faults of l briefly ("delay 50ms±10ms normal, loss 5%").
func describeLink(l transport.LinkFaults) string {
	var s []string
	if l.Delay > 0 || l.Jitter > 0 {
		d := "delay " + l.Delay.String()
		if l.Jitter > 0 {
			d += "±" + l.Jitter.String()
			if l.Distribution != "" {
				d += " " + string(l.Distribution)
			}
		}
		s = append(s, d)
	}
	if l.Drop > 0 {
		d := fmt.Sprintf("loss %g%%", l.Drop*100)
		if l.Burst > 1 {
			d += fmt.Sprintf(" burst %g", l.Burst)
		}
		s = append(s, d)
	}
	if l.Duplicate > 0 {
		s = append(s, fmt.Sprintf("duplicate %g%%", l.Duplicate*100))
	}
	if l.Reorder > 0 {
		s = append(s, fmt.Sprintf("reorder %g%%", l.Reorder*100))
	}
	if l.Bandwidth > 0 {
		s = append(s, fmt.Sprintf("bandwidth %dB/s", l.Bandwidth))
	}
	if l.Conn != transport.ConnNone {
		s = append(s, "conn "+string(l.Conn))
	}
	if l.Blocked {
		s = append(s, "blocked")
	}
	return strings.Join(s, ", ")
}

// linkWindow adds the links that build chooses as one window's
// contribution to the links, retrying until o.deadline, and records it.
func (n *Nemesis) linkWindow(ctx context.Context, ev recorder, o *occurrence, build func(context.Context, *Entry) (*linkSpec, error)) (*window, error) {
	id := n.newID()
	var ls *linkSpec
	err := retry(ctx, o.deadline, &o.tries, retrying(ev, o.e, nil, o.deadline), func() error {
		if ls == nil {
			var err error
			if ls, err = build(ctx, o.e); err != nil {
				return err
			}
		}
		return n.contribute(id, ls.links, nil)
	})
	if ls == nil {
		return nil, err
	}
	links := slices.Collect(maps.Keys(ls.links))
	w := &window{id: id, entry: o.e, nodes: ls.nodes, links: links,
		undo: func(context.Context) error { return n.contribute(id, nil, links) }}
	o.f.Nodes, o.f.Desc, o.f.Layer = ls.nodes, ls.desc, string(transport.LayerOf(n.net))
	if err != nil {
		n.partial(ctx, ev, w, ls.desc)
		return nil, err
	}
	n.open(ev, w, o)
	return w, nil
}

// contribute replaces window id's faults by spec (nil: removes them) and
// sets every affected link (and every link of also) to the merge of the
// contributions on it. It is idempotent, so that a failure is retried by
// calling it again.
func (n *Nemesis) contribute(id int, spec map[[2]string]transport.LinkFaults, also [][2]string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	touched := map[[2]string]bool{}
	for _, l := range also {
		touched[l] = true
	}
	for l, c := range n.links {
		if _, ok := c[id]; ok {
			delete(c, id)
			touched[l] = true
		}
	}
	for l, f := range spec {
		if n.links[l] == nil {
			n.links[l] = map[int]transport.LinkFaults{}
		}
		n.links[l][id] = f
		touched[l] = true
	}
	var errs []error
	for _, l := range slices.SortedFunc(maps.Keys(touched), compareLinks) {
		ids := slices.Sorted(maps.Keys(n.links[l]))
		var m transport.LinkFaults
		for _, i := range ids {
			m = m.Merge(n.links[l][i])
		}
		if len(ids) == 0 {
			delete(n.links, l)
		}
		if err := n.net.SetLink(l[0], l[1], m); err != nil {
			errs = append(errs, fmt.Errorf("link %s->%s: %w", l[0], l[1], err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d link(s) not set, first %w", len(errs), len(touched), errs[0])
	}
	return nil
}

func compareLinks(a, b [2]string) int {
	return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
}
