package runner

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"faultline/workloads/gen"
	"faultline/workloads/history"
)

// finalReadTimeout bounds each read of the final read; a key that cannot be
// read in that time is recorded as an unknown (info) op.
const finalReadTimeout = 10 * time.Second

// finalRead reads every key once after the faults are healed and the
// recovery window has passed, spreading the keys over the workers'
// clients. The reads go into the history like any op, so the checks judge
// them with the rest: every acknowledged write must be visible in what
// survived. It records a "final-read" point event with the counts and
// returns them.
func (r *run) finalRead(ctx context.Context, keys int) (read, failed int) {
	var ok, bad atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, w := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.flush()
			for {
				i := int(next.Add(1) - 1)
				if i >= keys || ctx.Err() != nil {
					return
				}
				h, _ := w.execTimeout(ctx, history.Get, gen.Key(i), "", finalReadTimeout)
				out := h.Outcome
				if out == history.OK {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	read, failed = int(ok.Load()), int(bad.Load())
	r.events.Point("final-read", nil, fmt.Sprintf("read %d of %d keys after healing; %d failed", read, keys, failed))
	return read, failed
}
