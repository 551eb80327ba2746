package maelstrom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"faultline/system/backend"
	"faultline/system/maelstrom"
)

// Client is one Maelstrom client (c1, c2, ...) of a Cluster, bound to its
// own node. It implements backend.Invoker (any request, as Maelstrom's
// workloads send them), backend.Client (key/value ops as requests of
// Maelstrom's lin-kv workload) and backend.Served. It is used by one
// goroutine at a time.
type Client struct {
	caller *maelstrom.Client
	node   string // its own node
	last   string // the node its last request went to
}

var (
	_ backend.Client  = (*Client)(nil)
	_ backend.Invoker = (*Client)(nil)
	_ backend.Served  = (*Client)(nil)
)

// ID is the client's Maelstrom id.
func (c *Client) ID() string { return c.caller.ID() }

// Invoke implements backend.Invoker: it sends a request of type f with
// fields args to node ("" for the client's own node) and returns the
// reply's body. An error reply with a definite code (maelstrom.Code)
// wraps backend.ErrDefinite; an indefinite one, a timeout or the end of
// ctx leaves the outcome unknown. Every error wraps the
// *maelstrom.RPCError, if any.
func (c *Client) Invoke(ctx context.Context, node, f string, args []byte) ([]byte, error) {
	if node == "" {
		node = c.node
	}
	c.last = node
	body, err := c.caller.Call(ctx, node, f, args)
	if err == nil {
		return body, nil
	}
	var re *maelstrom.RPCError
	if errors.As(err, &re) && re.Definite() {
		return nil, fmt.Errorf("%w: %s to %s: %w", backend.ErrDefinite, f, node, err)
	}
	return nil, fmt.Errorf("%s to %s: %w", f, node, err)
}

// LastNode implements backend.Served.
func (c *Client) LastNode() string { return c.last }

// Get implements backend.KV as lin-kv's read of key from the client's
// node: the value read as JSON text, or "" for a key that does not exist
// (error key-does-not-exist). Keys and values are JSON texts ("1",
// "\"a\""); a string that is not JSON stands for itself as a JSON string.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	args, _ := json.Marshal(struct { // raw JSON always marshals
		Key json.RawMessage `json:"key"`
	}{jsonText(key)})
	body, err := c.Invoke(ctx, "", "read", args)
	var re *maelstrom.RPCError
	if errors.As(err, &re) && re.Code == maelstrom.CodeKeyDoesNotExist {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var ok struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &ok); err != nil {
		return "", fmt.Errorf("read of %s: reply %s: %w", key, body, err)
	}
	return string(ok.Value), nil
}

// Put implements backend.KV as lin-kv's write.
func (c *Client) Put(ctx context.Context, key, value string) error {
	args, _ := json.Marshal(struct { // raw JSON always marshals
		Key   json.RawMessage `json:"key"`
		Value json.RawMessage `json:"value"`
	}{jsonText(key), jsonText(value)})
	_, err := c.Invoke(ctx, "", "write", args)
	return err
}

// Append implements backend.KV: lin-kv has no append, so it always fails,
// definitely and as unsupported.
func (c *Client) Append(context.Context, string, string) error {
	return fmt.Errorf("%w: maelstrom lin-kv has no append: %w", backend.ErrDefinite, backend.ErrUnsupported)
}

// Close implements backend.Client. The client's endpoint stays attached
// to the network until the cluster stops.
func (c *Client) Close() error { return nil }

// jsonText is s as JSON: itself when it is JSON text, else a JSON string.
func jsonText(s string) json.RawMessage {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s) // a string always marshals
	return b
}
