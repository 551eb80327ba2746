package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"faultline/transport"
)

// defaultLeaderWait bounds the search for a leader when a fault targets it.
const defaultLeaderWait = 5 * time.Second

// apply starts one occurrence of e: it chooses the nodes, applies the
// fault, records its window (or point) and returns the window, or nil when
// there is nothing to undo.
func (n *Nemesis) apply(ctx context.Context, ev recorder, e *Entry) (*window, error) {
	switch e.Fault {
	case KindKill, KindPause:
		return n.process(ctx, ev, e)
	case KindPartition:
		return n.partition(ctx, ev, e)
	case KindNetwork:
		return n.network(ctx, ev, e)
	case KindJoin, KindLeave, KindMove:
		return nil, n.membership(ctx, ev, e)
	}
	return nil, fmt.Errorf("unknown fault %q", e.Fault)
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

func (n *Nemesis) skip(ev recorder, e *Entry, why string) {
	ev.Point(string(e.Fault)+"-skipped", nil, fmt.Sprintf("%s: %s", e, why))
}

// process kills or pauses the target nodes.
func (n *Nemesis) process(ctx context.Context, ev recorder, e *Entry) (*window, error) {
	mark, do, undo := n.down, n.killer.Kill, n.killer.Restart
	verb, unverb := "kill", "restart"
	if e.Fault == KindPause {
		mark, do, undo = n.paused, n.pauser.Pause, n.pauser.Resume
		verb, unverb = "pause", "resume"
	}
	nodes := n.targets(ctx, e, mark)
	if len(nodes) == 0 {
		n.skip(ev, e, "no target node up")
		return nil, nil
	}
	var done []string
	var err error
	for _, x := range nodes {
		if err = do(ctx, x); err != nil {
			err = fmt.Errorf("%s %s: %w", verb, x, err)
			break
		}
		done = append(done, x)
	}
	w := &window{id: n.newID(), entry: e, nodes: done, undo: func(ctx context.Context) error {
		var errs []string
		for _, x := range done {
			if err := undo(ctx, x); err != nil {
				errs = append(errs, fmt.Sprintf("%s %s: %v", unverb, x, err))
			}
		}
		n.mu.Lock()
		for _, x := range nodes {
			delete(mark, x)
		}
		n.mu.Unlock()
		if errs != nil {
			return fmt.Errorf("%s", strings.Join(errs, "; "))
		}
		return nil
	}}
	if len(done) == 0 {
		w.undo(ctx)
		return nil, err
	}
	// The window opens once the fault has taken effect.
	w.ev = ev.Begin(string(e.Fault), done, fmt.Sprintf("%s %s", verb, strings.Join(done, " ")))
	n.register(w)
	if err != nil {
		n.finish(ctx, ev, w)
		return nil, err
	}
	return w, nil
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

// partition blocks the links of a shape.
func (n *Nemesis) partition(ctx context.Context, ev recorder, e *Entry) (*window, error) {
	target := ""
	switch e.Shape {
	case ShapeIsolate, ShapeLeader, ShapeOneWay:
		t := n.targets(ctx, e, nil)
		if len(t) == 0 {
			n.skip(ev, e, "no target node (no leader, or none up)")
			return nil, nil
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
	return n.linkWindow(ctx, ev, e, spec, c.nodes(), fmt.Sprintf("partition %s: %s", e.Shape, desc))
}

// network applies e.Link to the chosen links.
func (n *Nemesis) network(ctx context.Context, ev recorder, e *Entry) (*window, error) {
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
			n.skip(ev, e, "no target node")
			return nil, nil
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
	return n.linkWindow(ctx, ev, e, spec, nodes, fmt.Sprintf("network %s on %s", describeLink(e.Link), linksDesc(e, nodes)))
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

// linkWindow adds spec as one window's contribution to the links and
// records it.
func (n *Nemesis) linkWindow(ctx context.Context, ev recorder, e *Entry, spec map[[2]string]transport.LinkFaults, nodes []string, desc string) (*window, error) {
	id := n.newID()
	w := &window{id: id, entry: e, nodes: nodes}
	err := n.contribute(id, spec)
	w.undo = func(context.Context) error { return n.contribute(id, nil) }
	// The window opens once the links are set.
	w.ev = ev.Begin(string(e.Fault), nodes, desc)
	n.register(w)
	if err != nil {
		n.finish(ctx, ev, w)
		return nil, err
	}
	return w, nil
}

// contribute replaces window id's faults by spec (nil: removes them) and
// sets every affected link to the merge of the contributions on it.
func (n *Nemesis) contribute(id int, spec map[[2]string]transport.LinkFaults) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	touched := map[[2]string]bool{}
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
	var first error
	for l := range touched {
		ids := make([]int, 0, len(n.links[l]))
		for i := range n.links[l] {
			ids = append(ids, i)
		}
		slices.Sort(ids)
		var m transport.LinkFaults
		for _, i := range ids {
			m = m.Merge(n.links[l][i])
		}
		if len(ids) == 0 {
			delete(n.links, l)
		}
		if err := n.net.SetLink(l[0], l[1], m); err != nil && first == nil {
			first = fmt.Errorf("link %s->%s: %w", l[0], l[1], err)
		}
	}
	return first
}
