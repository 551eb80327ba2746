package tcp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"faultline/transport"
)

// TestSweepTimesOutCalls: Call-form calls of a blocked handler, started
// at different moments (some while the sweeper is idle, some while it
// ticks), each fail with ErrTimeout, never before CallTimeout has passed
// since they started; calls whose replies come in time are untouched; and
// once none is pending the sweeper stops.
func TestSweepTimesOutCalls(t *testing.T) {
	checkGoroutines(t)
	const timeout = 40 * time.Millisecond
	l, e := newEchoServer(t, Config{})
	t.Cleanup(e.unblock)
	c := dial(t, l.Addr(), Config{CallTimeout: timeout})
	for round := range 3 {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				// Stagger the starts over about two sweeps.
				<-time.After(time.Duration(i) * timeout / sweepTicks / 4)
				start := time.Now()
				var r EchoReply
				err := c.call(context.Background(), true, "Echo.Wait", &EchoArgs{}, &r)
				took := time.Since(start)
				if !errors.Is(err, transport.ErrTimeout) {
					t.Errorf("round %d call %d: err = %v, want ErrTimeout", round, i, err)
				}
				if took < timeout {
					t.Errorf("round %d call %d: timed out after %v, before its %v", round, i, took, timeout)
				}
			})
		}
		for i := range 20 { // replies that come in time are delivered
			var r EchoReply
			start := time.Now()
			err := c.call(context.Background(), true, "Echo.Echo", &EchoArgs{N: i}, &r)
			if errors.Is(err, transport.ErrTimeout) && time.Since(start) >= timeout {
				continue // a loaded machine held the call up for its whole timeout
			}
			if err != nil || r.N != i+1 {
				t.Fatalf("round %d: Echo %d after %v: err %v, reply %+v", round, i, time.Since(start), err, r)
			}
		}
		wg.Wait()
		cc := c.slots[0].cur.Load()
		waitFor(t, "the sweeper to stop with no call pending", func() bool { return !cc.sweeper.armed.Load() })
	}
}
