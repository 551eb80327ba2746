package runner

import (
	"context"

	"faultline/system/backend"
)

// fakeNemesis opens one fault window shortly after Run starts and leaves
// it for Heal to close, and records a point event.
type fakeNemesis struct {
	setup, healed bool
	id            int
}

func (n *fakeNemesis) Setup(ctx context.Context, c backend.Cluster) error {
	n.setup = true
	return nil
}

func (n *fakeNemesis) Run(ctx context.Context, ev *Events) error {
	n.id = ev.Begin("pause", []string{"n1"}, "pause n1")
	ev.Point("leader", []string{"n1"}, "n1 leads")
	<-ctx.Done()
	return ctx.Err()
}

func (n *fakeNemesis) Heal(ctx context.Context, ev *Events) error {
	ev.End(n.id)
	n.healed = true
	return nil
}
