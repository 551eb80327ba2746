package maelstrom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// Client is a Maelstrom client endpoint (c1, c2, ...): it sends requests
// through a Sender and matches the replies to them by in_reply_to. Any
// number of calls may be in flight at once.
type Client struct {
	id  string
	out Sender

	lastID    atomic.Int64 // the last msg_id given out
	discarded atomic.Int64

	mu      sync.Mutex
	pending map[int64]chan json.RawMessage // by msg_id; each buffered 1
}

var _ Endpoint = (*Client)(nil)

// NewClient returns a client with Maelstrom id id that sends through s.
// Attach it to the router that s is, so that replies reach it.
func NewClient(id string, s Sender) *Client {
	return &Client{id: id, out: s, pending: map[int64]chan json.RawMessage{}}
}

// ID implements Endpoint.
func (c *Client) ID() string { return c.id }

// Deliver implements Endpoint: a reply to a call in flight goes to it; any
// other message (a late reply to a call that gave up, a duplicate, a
// request) is discarded and counted (Discarded). It never blocks.
func (c *Client) Deliver(m Message) bool {
	h, err := ParseHeader(m.Body)
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
	c.discarded.Add(1)
	return true
}

// Discarded is the number of messages the client received that answered
// no call in flight: late replies, duplicates and strays.
func (c *Client) Discarded() int64 { return c.discarded.Load() }

// Call sends a request of type typ to dest and waits for its reply. fields
// is a JSON object with the body's other fields (nil or empty for none);
// Call adds type and a fresh msg_id to it, and refuses fields that set
// either (or in_reply_to) or are not an object, before sending anything.
//
// It returns the reply's body. An error reply is returned as an
// *RPCError, wrapped, with its code and text: definite or not as its code
// says. When ctx ends first, Call returns a wrapped *RPCError with
// CodeTimeout (indefinite: the request may still take effect) that also
// wraps ctx's error; a reply that comes later is discarded and counted.
func (c *Client) Call(ctx context.Context, dest, typ string, fields []byte) (json.RawMessage, error) {
	id := c.lastID.Add(1)
	body, err := requestBody(typ, id, fields)
	if err != nil {
		return nil, fmt.Errorf("%s: %s to %s: %w", c.id, typ, dest, err)
	}
	ch := make(chan json.RawMessage, 1)
	c.mu.Lock()
	c.pending[id] = ch
	c.mu.Unlock()
	c.out.Send(Message{Src: c.id, Dest: dest, Body: body})

	select {
	case reply := <-ch:
		return c.outcome(dest, typ, reply)
	case <-ctx.Done():
		c.mu.Lock()
		_, waiting := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if !waiting { // the reply won the race
			return c.outcome(dest, typ, <-ch)
		}
		timeout := &RPCError{Code: CodeTimeout, Text: "no reply to msg_id " + strconv.FormatInt(id, 10)}
		return nil, fmt.Errorf("%s: %s to %s: %w: %w", c.id, typ, dest, timeout, ctx.Err())
	}
}

// outcome turns a reply body into Call's result.
func (c *Client) outcome(dest, typ string, reply json.RawMessage) (json.RawMessage, error) {
	h, err := ParseHeader(reply)
	if err != nil {
		return nil, fmt.Errorf("%s: %s to %s: reply: %w", c.id, typ, dest, err)
	}
	if h.Type != "error" {
		return reply, nil
	}
	var eb ErrorBody
	if err := json.Unmarshal(reply, &eb); err != nil {
		return nil, fmt.Errorf("%s: %s to %s: error reply: %w: %w", c.id, typ, dest, ErrMalformed, err)
	}
	return nil, fmt.Errorf("%s: %s to %s: %w", c.id, typ, dest, &RPCError{Code: eb.Code, Text: eb.Text})
}

// requestBody builds a request body: fields with type and msg_id added.
func requestBody(typ string, id int64, fields []byte) (json.RawMessage, error) {
	if typ == "" {
		return nil, fmt.Errorf("%w: empty request type", ErrMalformed)
	}
	t, err := json.Marshal(typ)
	if err != nil {
		return nil, fmt.Errorf("%w: request type: %w", ErrMalformed, err)
	}
	b := make([]byte, 0, len(fields)+len(t)+40)
	b = append(b, `{"type":`...)
	b = append(b, t...)
	b = append(b, `,"msg_id":`...)
	b = strconv.AppendInt(b, id, 10)
	fields = bytes.TrimSpace(fields)
	if len(fields) == 0 {
		return append(b, '}'), nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(fields, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%w: request fields are not a JSON object: %.64q", ErrMalformed, fields)
	}
	for _, k := range []string{"type", "msg_id", "in_reply_to"} {
		if _, ok := obj[k]; ok {
			return nil, fmt.Errorf("%w: request fields set %q, which the client sets", ErrMalformed, k)
		}
	}
	if len(obj) == 0 {
		return append(b, '}'), nil
	}
	b = append(b, ',')
	return append(b, fields[1:]...), nil
}
