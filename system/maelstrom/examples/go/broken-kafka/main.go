package main

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"faultline/system/maelstrom/examples/go/internal/kafka"
	"faultline/system/maelstrom/examples/node"
)

// local is a kafka.Store in this process's memory only.
type local struct {
	mu        sync.Mutex
	logs      map[string][]json.RawMessage
	committed map[string]int64
}

var _ kafka.Store = (*local)(nil)

func (l *local) Send(_ context.Context, key string, msg json.RawMessage) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logs[key] = append(l.logs[key], msg) // offset len-1 on this node alone
	return len(l.logs[key]) - 1, nil
}

func (l *local) Log(_ context.Context, key string) ([]json.RawMessage, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.logs[key]), nil
}

func (l *local) Commit(_ context.Context, key string, offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if have, ok := l.committed[key]; !ok || offset > have {
		l.committed[key] = offset
	}
	return nil
}

func (l *local) Committed(_ context.Context, key string) (int64, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	off, ok := l.committed[key]
	return off, ok, nil
}

func main() {
	n := node.New()
	kafka.Serve(n, &local{logs: map[string][]json.RawMessage{}, committed: map[string]int64{}})
	n.Main()
}
