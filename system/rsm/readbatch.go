package rsm

import (
	"context"
	"sync"
	"time"
)

// readBatcher coalesces concurrent Gets into shared ReadIndex rounds: while
// one round is in flight, arriving Gets queue, and the next round serves
// them all. A Get never joins a round that began before it arrived, which
// is what makes the shared round's index valid for it. One goroutine runs
// rounds while any Get waits and exits when none does.
type readBatcher struct {
	readIndex func(context.Context) (int, error)
	timeout   time.Duration // bounds one round

	mu      sync.Mutex
	waiting []chan readOutcome // Gets for the next round
	running bool               // a round goroutine exists
}

type readOutcome struct {
	index int
	err   error
}

// wait returns the index of a ReadIndex round that began after the call,
// or the round's error, or ctx's error.
func (b *readBatcher) wait(ctx context.Context) (int, error) {
	ch := make(chan readOutcome, 1)
	b.mu.Lock()
	b.waiting = append(b.waiting, ch)
	if !b.running {
		b.running = true
		go b.loop()
	}
	b.mu.Unlock()
	select {
	case o := <-ch:
		return o.index, o.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (b *readBatcher) loop() {
	for {
		b.mu.Lock()
		batch := b.waiting
		b.waiting = nil
		if len(batch) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		index, err := b.readIndex(ctx)
		cancel()
		for _, ch := range batch {
			ch <- readOutcome{index: index, err: err}
		}
	}
}
