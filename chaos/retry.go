package chaos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"faultline/workloads/results"
)

// Retry bounds: a fault (or its healing) that fails is tried again after
// a backoff that starts at retryMin and doubles up to retryMax, until its
// deadline (the end of its window; for healing, the final heal, then
// healWait more).
const (
	retryMin = 10 * time.Millisecond
	retryMax = 500 * time.Millisecond
	// instantRetry bounds the retries of an instantaneous fault (join,
	// leave, move), which has no window to end them.
	instantRetry = 10 * time.Second
	// defaultHealWait bounds the retries of the final heal of one window.
	defaultHealWait = 10 * time.Second
)

// errNoTarget says a fault found nothing to act on (no node up, no
// leader, no group): like a failure, it is retried until the window ends.
var errNoTarget = errors.New("no target")

// attempts counts tries and keeps the last error, for a results.Fault.
type attempts struct {
	n       int
	lastErr error
}

// retry calls try until it succeeds, ctx is done, or the next try would
// come at or after deadline, sleeping a doubling backoff between tries.
// first is called once, after the first failure (to record that the fault
// is being retried). It returns try's last error.
func retry(ctx context.Context, deadline time.Time, a *attempts, first func(error), try func() error) error {
	backoff := retryMin
	for {
		a.n++
		err := try()
		if err == nil {
			return nil
		}
		a.lastErr = err
		if a.n == 1 && first != nil {
			first(err)
		}
		next := time.Now().Add(backoff)
		if ctx.Err() != nil || !next.Before(deadline) || !sleepUntil(ctx, next) {
			return err
		}
		backoff = min(2*backoff, retryMax)
	}
}

// errText is err's text, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// newFault is the record of one occurrence of e whose intended window is
// [from, until] in run nanoseconds; nothing has happened yet.
func newFault(e *Entry, from, until int64) results.Fault {
	return results.Fault{Entry: e.Path, Fault: string(e.Fault), Desc: e.String(),
		IntendedStartNS: from, IntendedStopNS: until, StartNS: results.NotApplied, StopNS: results.NotApplied}
}

// retrying records the first failure of an occurrence as a point: a
// "<kind>-skipped" one when it found no target, else "nemesis-error".
func retrying(ev recorder, e *Entry, nodes []string, until time.Time) func(error) {
	return func(err error) {
		kind := "nemesis-error"
		if errors.Is(err, errNoTarget) {
			kind = string(e.Fault) + "-skipped"
		}
		ev.Point(kind, nodes, fmt.Sprintf("%s (%s): %v; retrying until %s", e, e.Path, err, until.Format("15:04:05.000")))
	}
}
