package nodeproc

import (
	"context"
	"fmt"
	"time"
)

// Poll calls try every interval until it returns nil, for at most within
// or until ctx ends, for a node that is starting and may not answer yet.
// It returns nil, or try's last error wrapped with how long it waited.
func Poll(ctx context.Context, within, interval time.Duration, try func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	start := time.Now()
	for {
		err := try(ctx)
		if err == nil {
			return nil
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("after %v: %w", time.Since(start).Round(time.Millisecond), err)
		case <-t.C:
		}
	}
}
