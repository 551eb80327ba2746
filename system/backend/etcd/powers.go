package etcd

import (
	"context"
	"time"
)

// statusTimeout bounds each member's answer to Leader.
const statusTimeout = 500 * time.Millisecond

// Kill, Restart, Pause and Resume come from the cluster's nodeproc.Set:
// Kill SIGKILLs a member's process group, or in process stops it at once
// without handing over leadership and releases its listeners and files;
// Restart brings it back from its data directory on the same addresses,
// without waiting for it to catch up; Pause and Resume (process mode only)
// send SIGSTOP and SIGCONT.

// Leader asks every member for its status and names the leader reported
// in the highest Raft term, or "" when no reachable member knows one.
func (m *Members) Leader(ctx context.Context) (string, error) {
	type answer struct {
		leader uint64
		term   uint64
		ok     bool
	}
	eps := m.endpoints
	ch := make(chan answer, len(eps))
	for _, ep := range eps {
		go func() {
			sctx, cancel := context.WithTimeout(ctx, statusTimeout)
			defer cancel()
			r, err := m.admin.Status(sctx, ep)
			if err != nil {
				ch <- answer{}
				return
			}
			ch <- answer{leader: r.Leader, term: r.RaftTerm, ok: true}
		}()
	}
	best, bestTerm := "", uint64(0)
	for range eps {
		a := <-ch
		if a.ok && a.leader != 0 && a.term >= bestTerm {
			if n, ok := m.ids[a.leader]; ok {
				best, bestTerm = n, a.term
			}
		}
	}
	return best, ctx.Err()
}
