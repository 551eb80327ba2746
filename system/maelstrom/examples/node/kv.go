package node

import (
	"context"
	"encoding/json"
)

// KV is a client of one of Maelstrom's key-value services ("lin-kv",
// "seq-kv", "lww-kv"). Errors are the service's: code 20 for a missing
// key, 22 for a cas whose from did not match, 0 for no reply in time.
type KV struct {
	n       *Node
	service string
}

// NewKV returns a client of service through n.
func NewKV(n *Node, service string) *KV { return &KV{n: n, service: service} }

// Read returns the value of key as the service encoded it.
func (kv *KV) Read(ctx context.Context, key any) (json.RawMessage, error) {
	m, err := kv.n.Call(ctx, kv.service, map[string]any{"type": "read", "key": key})
	if err != nil {
		return nil, err
	}
	var b struct {
		Value json.RawMessage `json:"value"`
	}
	if err := m.Decode(&b); err != nil {
		return nil, err
	}
	return b.Value, nil
}

// Write sets key to value.
func (kv *KV) Write(ctx context.Context, key, value any) error {
	_, err := kv.n.Call(ctx, kv.service, map[string]any{"type": "write", "key": key, "value": value})
	return err
}

// CAS sets key to to if its value is from. With create, a missing key is
// created with to (the service's create_if_not_exists).
func (kv *KV) CAS(ctx context.Context, key, from, to any, create bool) error {
	body := map[string]any{"type": "cas", "key": key, "from": from, "to": to}
	if create {
		body["create_if_not_exists"] = true
	}
	_, err := kv.n.Call(ctx, kv.service, body)
	return err
}
