package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"faultline/system/maelstrom"
)

// stamp encodes body (which must encode as a JSON object) with msg_id
// and in_reply_to set as given; a nil id removes the field.
func stamp(body any, msgID, inReplyTo *int64) (json.RawMessage, error) {
	raw, ok := body.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode body: %w", err)
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("body is not an object: %w", err)
	}
	set := func(name string, v *int64) {
		delete(fields, name)
		if v != nil {
			fields[name], _ = json.Marshal(*v)
		}
	}
	set("msg_id", msgID)
	set("in_reply_to", inReplyTo)
	out, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return out, nil
}

// write sends one message from src to dest; an error is logged (the
// harness owns stdout, so there is nobody else to tell).
func (n *Node) write(src, dest string, body json.RawMessage) {
	line, err := json.Marshal(maelstrom.Message{Src: src, Dest: dest, Body: body})
	if err != nil {
		n.Logf("encode message to %s: %v", dest, err)
		return
	}
	line = append(line, '\n')
	n.outMu.Lock()
	defer n.outMu.Unlock()
	if n.out == nil {
		n.Logf("send to %s before Run", dest)
		return
	}
	if _, err := n.out.Write(line); err != nil {
		n.Logf("write message to %s: %v", dest, err)
	}
}

// Send sends body to dest without a msg_id: no reply is expected.
func (n *Node) Send(dest string, body any) error {
	b, err := stamp(body, nil, nil)
	if err != nil {
		return err
	}
	n.write(n.ID(), dest, b)
	return nil
}

// Call sends body to dest as a request and waits for the reply, at most
// until ctx ends or the node's RPC timeout passes. An error reply comes
// back as a *maelstrom.RPCError with the reply; no reply in time is an
// RPCError with code timeout (0, indefinite: the request may still take
// effect).
func (n *Node) Call(ctx context.Context, dest string, body any) (Msg, error) {
	n.mu.Lock()
	n.nextMsgID++
	id := n.nextMsgID
	ch := make(chan Msg, 1)
	n.pending[id] = ch
	timeout := n.rpcTimeout
	n.mu.Unlock()
	forget := func() {
		n.mu.Lock()
		delete(n.pending, id)
		n.mu.Unlock()
	}
	b, err := stamp(body, &id, nil)
	if err != nil {
		forget()
		return Msg{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	n.write(n.ID(), dest, b)
	select {
	case m := <-ch:
		if m.Type == "error" {
			var e maelstrom.ErrorBody
			if err := json.Unmarshal(m.Body, &e); err != nil {
				return m, &maelstrom.RPCError{Code: maelstrom.CodeCrash, Text: "undecodable error reply: " + err.Error()}
			}
			return m, &maelstrom.RPCError{Code: e.Code, Text: e.Text}
		}
		return m, nil
	case <-ctx.Done():
		forget()
		return Msg{}, &maelstrom.RPCError{Code: maelstrom.CodeTimeout, Text: fmt.Sprintf("no reply from %s: %v", dest, ctx.Err())}
	}
}

// RPC is Call in the background: cb gets the reply or the error.
func (n *Node) RPC(dest string, body any, cb func(reply Msg, err error)) {
	n.wg.Go(func() {
		m, err := n.Call(n.ctx, dest, body)
		cb(m, err)
	})
}

// Forward sends the body of req to dest as a new request and returns the
// reply body without its msg_id and in_reply_to, ready to be returned by
// a Handler; an error reply comes back as its RPCError.
func (n *Node) Forward(ctx context.Context, dest string, req Msg) (json.RawMessage, error) {
	m, err := n.Call(ctx, dest, req.Body)
	if err != nil {
		return nil, err
	}
	return stamp(m.Body, nil, nil)
}

// IsCode reports whether err is a Maelstrom error with code c.
func IsCode(err error, c maelstrom.Code) bool {
	var e *maelstrom.RPCError
	return errors.As(err, &e) && e.Code == c
}
