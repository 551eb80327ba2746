package rsm

import (
	"context"
	"sync"
	"testing"
	"time"

	"faultline/internal/labcluster"
)

// TestReadBatcherRounds: Gets that arrive while a round is in flight share
// the next round, never the one in flight.
func TestReadBatcherRounds(t *testing.T) {
	started := make(chan int, 10)  // round number, as each round starts
	release := make(chan struct{}) // lets one round finish
	round := 0
	b := &readBatcher{timeout: time.Second, readIndex: func(context.Context) (int, error) {
		round++
		started <- round
		<-release
		return round * 100, nil
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	first := make(chan int, 1)
	go func() { i, _ := b.wait(ctx); first <- i }()
	if r := <-started; r != 1 {
		t.Fatalf("first round = %d", r)
	}
	// Three Gets arrive while round 1 is in flight.
	var wg sync.WaitGroup
	later := make(chan int, 3)
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); i, _ := b.wait(ctx); later <- i }()
	}
	labcluster.WaitFor(t, 5*time.Second, "three queued reads", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.waiting) == 3
	})
	release <- struct{}{}
	if i := <-first; i != 100 {
		t.Fatalf("first read index = %d, want 100", i)
	}
	if r := <-started; r != 2 {
		t.Fatalf("second round = %d", r)
	}
	release <- struct{}{}
	wg.Wait()
	for range 3 {
		if i := <-later; i != 200 {
			t.Fatalf("queued read got index %d, want 200 (the round after it arrived)", i)
		}
	}
	labcluster.WaitFor(t, 5*time.Second, "the round goroutine to exit", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return !b.running
	})
}
