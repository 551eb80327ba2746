package maelstrom

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
)

// mapStore is a Store on one map behind a lock: the test double of the
// Store seam (a raftkv cluster in the backend). fail, when set, answers
// every op instead; block, when set, holds every op until it is closed
// or the op's context ends.
type mapStore struct {
	mu    sync.Mutex
	m     map[string]string
	fail  error
	block chan struct{}
}

func (s *mapStore) op(ctx context.Context, f func()) error {
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	f()
	return nil
}

func (s *mapStore) Get(ctx context.Context, key string) (v string, err error) {
	err = s.op(ctx, func() { v = s.m[key] })
	return v, err
}

func (s *mapStore) Put(ctx context.Context, key, value string) error {
	return s.op(ctx, func() { s.m[key] = value })
}

func (s *mapStore) CAS(ctx context.Context, key, from, to string, create bool) (prev string, existed bool, err error) {
	err = s.op(ctx, func() {
		prev, existed = s.m[key]
		if (existed && prev == from) || (!existed && create) {
			s.m[key] = to
		}
	})
	return prev, existed, err
}

func newStoreDirect(t *testing.T, st Store, cfg StoreConfig) (*direct, *StoreService) {
	d := &direct{t: t, replies: make(chan Message, 64)}
	svc := NewStoreService(LinKV, d.sender(), st, cfg)
	t.Cleanup(svc.Close)
	d.ep = svc
	return d, svc
}

// TestStoreServiceLinKV: lin-kv on a Store answers the same script as
// the service's own map.
func TestStoreServiceLinKV(t *testing.T) {
	d, _ := newStoreDirect(t, &mapStore{m: map[string]string{}}, StoreConfig{})
	linKVScript(t, d)
}

// TestStoreServiceErrors: a store's definite failure keeps its code, any
// other is code 0 (indefinite); a request beyond the bound of ops in
// flight, or after Close, gets 11 at once; replies are ignored.
func TestStoreServiceErrors(t *testing.T) {
	st := &mapStore{m: map[string]string{}, fail: &RPCError{Code: CodeTemporarilyUnavailable, Text: "no leader"}}
	d, _ := newStoreDirect(t, st, StoreConfig{})
	d.want(d.call("n0", `{"type":"write","key":1,"value":2}`), "error", CodeTemporarilyUnavailable)
	st.mu.Lock()
	st.fail = errors.New("outcome unknown")
	st.mu.Unlock()
	d.want(d.call("n0", `{"type":"cas","key":1,"from":1,"to":2}`), "error", CodeTimeout)
	d.want(d.call("n0", `{"type":"ts"}`), "error", CodeNotSupported)
	d.ep.Deliver(Message{Src: "n0", Dest: LinKV, Body: json.RawMessage(`{"type":"read_ok","in_reply_to":4}`)})

	blocked := &mapStore{m: map[string]string{}, block: make(chan struct{})}
	d, svc := newStoreDirect(t, blocked, StoreConfig{InFlight: 1})
	d.next++
	d.ep.Deliver(Message{Src: "n0", Dest: LinKV, Body: json.RawMessage(`{"type":"read","key":1,"msg_id":1}`)})
	d.want(d.call("n1", `{"type":"read","key":1}`), "error", CodeTemporarilyUnavailable) // the one slot is taken
	close(blocked.block)
	if m := d.reply(); m.Dest != "n0" {
		t.Fatalf("the blocked read's reply went to %s", m.Dest)
	}
	svc.Close()
	d.want(d.call("n1", `{"type":"read","key":1}`), "error", CodeTemporarilyUnavailable)
	if len(d.replies) != 0 {
		t.Fatalf("unexpected reply %+v", <-d.replies)
	}
}
