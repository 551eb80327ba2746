package nodeproc

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// haltingNode halts on its own when halt is closed.
type haltingNode struct {
	halt    chan struct{}
	stopped bool
}

func (n *haltingNode) Stop() error              { n.stopped = true; return nil }
func (n *haltingNode) Stopped() <-chan struct{} { return n.halt }
func (n *haltingNode) Err() error               { return errCorruptEntry }

var errCorruptEntry = errors.New("cannot apply the committed entry at index 7")

// TestServeEndsWhenTheNodeHalts: a node that stops on its own ends Serve
// with its cause (so its process exits non-zero) and is stopped, instead
// of lingering until a signal.
func TestServeEndsWhenTheNodeHalts(t *testing.T) {
	n := &haltingNode{halt: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- Serve(context.Background(), slog.New(slog.DiscardHandler), func() (Stopper, error) { return n, nil })
	}()
	close(n.halt)
	select {
	case err := <-done:
		if !errors.Is(err, errCorruptEntry) {
			t.Fatalf("Serve = %v, want the node's cause", err)
		}
		if !n.stopped {
			t.Fatal("the halted node was not stopped")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the node halted")
	}
}
