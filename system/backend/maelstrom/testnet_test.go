package maelstrom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"faultline/system/maelstrom"
	"faultline/transport"
)

// testNet is the tests' network: it delivers at once, drops what a
// blocked link carries, and keeps what is sent to ids nobody attached
// (up to a bound).
type testNet struct {
	mu      sync.Mutex
	eps     map[string]maelstrom.Endpoint
	links   map[[2]string]transport.LinkFaults
	closed  bool
	unknown chan maelstrom.Message
}

var _ Network = (*testNet)(nil)

func newTestNet() *testNet {
	return &testNet{eps: map[string]maelstrom.Endpoint{}, links: map[[2]string]transport.LinkFaults{},
		unknown: make(chan maelstrom.Message, 64)}
}

func (t *testNet) Attach(ep maelstrom.Endpoint) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.eps[ep.ID()]; ok {
		return fmt.Errorf("id %s attached twice", ep.ID())
	}
	t.eps[ep.ID()] = ep
	return nil
}

func (t *testNet) Send(m maelstrom.Message) {
	t.mu.Lock()
	ep, blocked, closed := t.eps[m.Dest], t.links[[2]string{m.Src, m.Dest}].Blocked, t.closed
	t.mu.Unlock()
	switch {
	case closed || blocked:
	case ep == nil:
		select {
		case t.unknown <- m:
		default:
		}
	default:
		ep.Deliver(m)
	}
}

func (t *testNet) Faults() transport.LinkFaulter { return (*testFaults)(t) }

func (t *testNet) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
}

// testFaults is testNet's link table.
type testFaults testNet

func (f *testFaults) SetLink(from, to string, lf transport.LinkFaults) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links[[2]string{from, to}] = lf
	return nil
}

func (f *testFaults) Link(from, to string) transport.LinkFaults {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.links[[2]string{from, to}]
}

func (f *testFaults) HealAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.links)
}

// testCaller is the tests' client endpoint: requests numbered from 1,
// replies matched by in_reply_to, other messages kept (up to a bound).
type testCaller struct {
	id  string
	net maelstrom.Sender

	mu      sync.Mutex
	next    int64
	pending map[int64]chan json.RawMessage
	other   chan maelstrom.Message
}

var _ Caller = (*testCaller)(nil)

func newTestCaller(id string, s maelstrom.Sender) Caller {
	return &testCaller{id: id, net: s, pending: map[int64]chan json.RawMessage{}, other: make(chan maelstrom.Message, 64)}
}

func (c *testCaller) ID() string { return c.id }

func (c *testCaller) Deliver(m maelstrom.Message) bool {
	h, err := maelstrom.ParseHeader(m.Body)
	if err == nil && h.InReplyTo != nil {
		c.mu.Lock()
		ch := c.pending[*h.InReplyTo]
		delete(c.pending, *h.InReplyTo)
		c.mu.Unlock()
		if ch != nil {
			ch <- m.Body
			return true
		}
	}
	select {
	case c.other <- m:
		return true
	default:
		return false
	}
}

func (c *testCaller) Call(ctx context.Context, dest, typ string, fields []byte) (json.RawMessage, error) {
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan json.RawMessage, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	body := fmt.Sprintf(`{"type":%q,"msg_id":%d}`, typ, id)
	if len(fields) > 2 {
		body = body[:len(body)-1] + "," + string(fields[1:])
	}
	c.net.Send(maelstrom.Message{Src: c.id, Dest: dest, Body: json.RawMessage(body)})
	select {
	case reply := <-ch:
		var e maelstrom.ErrorBody
		if err := json.Unmarshal(reply, &e); err == nil && e.Type == "error" {
			return nil, &maelstrom.RPCError{Code: e.Code, Text: e.Text}
		}
		return reply, nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, errors.Join(&maelstrom.RPCError{Code: maelstrom.CodeTimeout, Text: "no reply"}, ctx.Err())
	}
}

// SupportsLink implements transport.FaultSupport: testNet applies only
// Blocked, but the tests declare anything valid.
func (*testFaults) SupportsLink(f transport.LinkFaults) error { return f.Validate() }
