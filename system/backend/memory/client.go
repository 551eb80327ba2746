package memory

import (
	"context"
	"errors"
	"fmt"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/transport/tcp"
)

// Client is a backend.Client talking to one memkv node.
type Client struct {
	node string
	c    *tcp.Client
	// close closes what the client owns: c, or nothing when c belongs to
	// the cluster's pool (which closes it).
	close func() error
}

var (
	_ backend.Client  = (*Client)(nil)
	_ backend.Served  = (*Client)(nil)
	_ backend.Invoker = (*Client)(nil)
)

// NewClient returns a client of the node named node at addr, which
// authenticates with secret (nil for a node that serves without one).
func NewClient(node, addr string, secret []byte) *Client {
	c := tcp.DialNamed(node, addr, clientConfig(secret))
	return &Client{node: node, c: c, close: c.Close}
}

// clientConfig is the transport config of a client: one connection,
// authenticated by secret.
func clientConfig(secret []byte) tcp.Config {
	cfg := tcp.DefaultConfig()
	cfg.Conns = 1
	cfg.Secret = secret
	return cfg
}

// Get implements backend.Client.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	var r GetReply
	if err := c.c.CallContext(ctx, "Store.Get", &GetArgs{Key: key}, &r); err != nil {
		return "", classify(err)
	}
	return r.Value, nil
}

// Put implements backend.Client.
func (c *Client) Put(ctx context.Context, key, value string) error {
	return classify(c.c.CallContext(ctx, "Store.Put", &PutArgs{Key: key, Value: value}, &PutReply{}))
}

// Append implements backend.Client.
func (c *Client) Append(ctx context.Context, key, value string) error {
	return classify(c.c.CallContext(ctx, "Store.Put", &PutArgs{Key: key, Value: value, Append: true}, &PutReply{}))
}

// Invoke implements backend.Invoker for transactions only (f "txn",
// backend.PowerTxn): the store runs the whole transaction in one call.
// Any other request is refused, definitely.
func (c *Client) Invoke(ctx context.Context, _, f string, args []byte) ([]byte, error) {
	if f != "txn" {
		return nil, fmt.Errorf("%w: memkv: request type %q: %w (only txn)", backend.ErrDefinite, f, backend.ErrUnsupported)
	}
	ops, err := backend.ParseTxn(args)
	if err != nil {
		return nil, err
	}
	var r TxnReply
	if err := c.c.CallContext(ctx, "Store.Txn", &TxnArgs{Ops: ops}, &r); err != nil {
		return nil, classify(err)
	}
	return backend.TxnReply(r.Ops), nil
}

// LastNode implements backend.Served: there is only one node.
func (c *Client) LastNode() string { return c.node }

// Close implements backend.Client: it closes the client's connection
// unless that is shared (then the cluster's Stop closes it).
func (c *Client) Close() error { return c.close() }

// classify marks errors after which the op certainly did not run: the
// server rejected the call before running its handler.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if transport.IsRemote(err) && !errors.Is(err, transport.ErrTimeout) {
		return fmt.Errorf("%w: %w", backend.ErrDefinite, err)
	}
	return err
}
