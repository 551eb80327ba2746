package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Store is a linearizable key/value store that can stand behind a
// key/value service in place of the service's own map (NewStoreService):
// a raftkv cluster, say. Keys and values are canonical JSON texts, so ""
// is never a value: Get returns "" for a key that has none. It must be
// safe for concurrent use.
//
// Errors: a *RPCError is answered with its code (CodeTemporarilyUnavailable
// for an op that certainly did not take effect); any other error with
// code 0 (timeout: indefinite, the op may have taken effect).
type Store interface {
	Get(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key, value string) error
	// CAS sets key to to if its value is from, or, with create, if it has
	// none, atomically; it returns what it found: the key's value before,
	// and whether the key existed.
	CAS(ctx context.Context, key, from, to string, create bool) (prev string, existed bool, err error)
}

// StoreConfig bounds a store-backed service.
type StoreConfig struct {
	// Timeout bounds each op on the store (DefaultStoreTimeout when <= 0);
	// an op that runs out is answered with code 0 (indefinite).
	Timeout time.Duration
	// InFlight bounds the ops running at once (DefaultStoreInFlight when
	// <= 0); a request beyond it is answered at once with code 11
	// (temporarily unavailable: nothing was done).
	InFlight int
}

// Defaults of StoreConfig.
const (
	DefaultStoreTimeout  = 5 * time.Second
	DefaultStoreInFlight = 256
)

// StoreService is a key/value service (lin-kv's API: read, write, cas with
// create_if_not_exists; errors 20 and 22) whose state is a Store. Deliver
// never blocks: each request runs on the store in a goroutine of its own,
// and its reply goes back through the Sender, so that it crosses the
// network as any service's reply does.
type StoreService struct {
	name string
	out  Sender
	st   Store
	cfg  StoreConfig
	sem  chan struct{} // one token per op in flight

	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex // guards closed and wg.Add against Close
	closed bool
	wg     sync.WaitGroup
}

var _ Endpoint = (*StoreService)(nil)

// NewStoreService returns the service name (lin-kv, say) on st, answering
// through s. Close it when done.
func NewStoreService(name string, s Sender, st Store, cfg StoreConfig) *StoreService {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultStoreTimeout
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = DefaultStoreInFlight
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &StoreService{name: name, out: s, st: st, cfg: cfg, sem: make(chan struct{}, cfg.InFlight), ctx: ctx, cancel: cancel}
}

// ID implements Endpoint.
func (s *StoreService) ID() string { return s.name }

// Deliver implements Endpoint.
func (s *StoreService) Deliver(m Message) bool {
	h, req, bad, ok := decodeRequest(s.name, m)
	if !ok {
		return true
	}
	if bad != nil {
		s.reply(m.Src, h, bad)
		return true
	}
	if !s.start() {
		s.reply(m.Src, h, &ErrorBody{Type: "error", Code: CodeTemporarilyUnavailable,
			Text: fmt.Sprintf("%s: %d requests in flight, or closed", s.name, s.cfg.InFlight)})
		return true
	}
	go func() {
		defer func() { <-s.sem; s.wg.Done() }()
		s.reply(m.Src, h, s.handle(&req))
	}()
	return true
}

// start takes a slot for one more op, unless all are taken or the
// service is closed.
func (s *StoreService) start() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	select {
	case s.sem <- struct{}{}:
		s.wg.Add(1)
		return true
	default:
		return false
	}
}

func (s *StoreService) reply(dest string, h Header, body any) {
	s.out.Send(Message{Src: s.name, Dest: dest, Body: replyBody(body, h.MsgID)})
}

// handle runs one request on the store. The reply is the one the
// service's own map would give in the state the store found (kvOp.apply),
// so both answer alike.
func (s *StoreService) handle(req *kvRequest) any {
	op, bad := kvOpOf(req)
	if bad != nil {
		return bad
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.Timeout)
	defer cancel()
	var cur string
	var exists bool
	var err error
	switch op.typ {
	case "read":
		cur, err = s.st.Get(ctx, op.key)
		exists = cur != ""
	case "write":
		err = s.st.Put(ctx, op.key, op.value)
	case "cas":
		cur, exists, err = s.st.CAS(ctx, op.key, op.from, op.to, op.create)
	}
	if err != nil {
		return storeError(s.name, op.typ, err)
	}
	return op.apply(cur, exists).reply
}

// storeError is the error reply to a failed store op: its own code if it
// has one, else code 0 (indefinite).
func storeError(name, typ string, err error) *ErrorBody {
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) {
		return &ErrorBody{Type: "error", Code: rpcErr.Code, Text: fmt.Sprintf("%s: %s: %s", name, typ, rpcErr.Text)}
	}
	return &ErrorBody{Type: "error", Code: CodeTimeout, Text: fmt.Sprintf("%s: %s: %v", name, typ, err)}
}

// Close cancels the ops in flight and waits for them; their replies are
// still sent (code 0). Later requests get code 11.
func (s *StoreService) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}
