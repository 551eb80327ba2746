package chaos

import (
	"context"
	"fmt"
	"slices"
)

// membership joins, removes or moves replica groups, retrying until
// o.deadline. It is recorded as a window lasting as long as the change
// took.
func (n *Nemesis) membership(ctx context.Context, ev recorder, o *occurrence) error {
	return retry(ctx, o.deadline, &o.tries, retrying(ev, o.e, nil, o.deadline), func() error {
		return n.change(ctx, ev, o)
	})
}

// change makes one attempt at a membership change.
func (n *Nemesis) change(ctx context.Context, ev recorder, o *occurrence) error {
	e := o.e
	n.mu.Lock()
	all := n.members.Groups()
	var idle []int
	for _, g := range all {
		if !slices.Contains(n.joined, g) {
			idle = append(idle, g)
		}
	}
	joined := slices.Clone(n.joined)
	var gids []int
	shard, gid := 0, 0
	switch e.Fault {
	case KindJoin:
		n.rng.Shuffle(len(idle), func(i, j int) { idle[i], idle[j] = idle[j], idle[i] })
		gids = idle[:min(e.Groups, len(idle))]
	case KindLeave:
		n.rng.Shuffle(len(joined), func(i, j int) { joined[i], joined[j] = joined[j], joined[i] })
		gids = joined[:min(e.Groups, len(joined)-1)] // keep one group serving
	case KindMove:
		shards := DefaultShards
		if s, ok := n.cluster.(Shards); ok {
			shards = s.Shards()
		}
		if len(joined) > 0 && shards > 0 {
			shard, gid = n.rng.IntN(shards), joined[n.rng.IntN(len(joined))]
		}
	}
	n.mu.Unlock()
	if len(gids) == 0 && (e.Fault != KindMove || gid == 0) {
		return fmt.Errorf("%w: no group to %s (serving %v of %v)", errNoTarget, e.Fault, joined, all)
	}
	var desc string
	var err error
	id := 0
	begun := ev.Now()
	switch e.Fault {
	case KindJoin:
		desc = fmt.Sprintf("join groups %v", gids)
		id = ev.Begin(string(e.Fault), nil, desc)
		err = n.members.Join(ctx, gids)
	case KindLeave:
		desc = fmt.Sprintf("leave groups %v", gids)
		id = ev.Begin(string(e.Fault), nil, desc)
		err = n.members.Leave(ctx, gids)
	case KindMove:
		desc = fmt.Sprintf("move shard %d to group %d", shard, gid)
		id = ev.Begin(string(e.Fault), nil, desc)
		err = n.members.Move(ctx, shard, gid)
	}
	ev.End(id)
	o.f.Desc = desc
	if err != nil {
		return fmt.Errorf("%s: %w", desc, err)
	}
	o.f.StartNS, o.f.StopNS = begun, ev.Now()
	n.mu.Lock()
	switch e.Fault {
	case KindJoin:
		n.joined = append(n.joined, gids...)
		slices.Sort(n.joined)
	case KindLeave:
		n.joined = slices.DeleteFunc(n.joined, func(g int) bool { return slices.Contains(gids, g) })
	}
	n.mu.Unlock()
	return nil
}
