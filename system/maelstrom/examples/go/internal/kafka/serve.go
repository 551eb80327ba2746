package kafka

import (
	"context"
	"encoding/json"

	"faultline/system/maelstrom/examples/node"
)

// PollLimit bounds the messages of one key in one poll_ok.
const PollLimit = 100

// Store keeps the logs and committed offsets. Errors are returned to the
// client as they are (a *maelstrom.RPCError keeps its code).
type Store interface {
	// Send appends msg to the log of key and returns its offset.
	Send(ctx context.Context, key string, msg json.RawMessage) (int, error)
	// Log returns the messages of key by offset (nil for no log).
	Log(ctx context.Context, key string) ([]json.RawMessage, error)
	// Commit raises the committed offset of key to offset (never lowers it).
	Commit(ctx context.Context, key string, offset int64) error
	// Committed returns the committed offset of key, ok false for none.
	Committed(ctx context.Context, key string) (offset int64, ok bool, err error)
}

type sendReq struct {
	Key string          `json:"key"`
	Msg json.RawMessage `json:"msg"`
}

type offsetsReq struct {
	Offsets map[string]int64 `json:"offsets"`
}

type keysReq struct {
	Keys []string `json:"keys"`
}

// Serve registers on n the handlers of the kafka workload over s.
func Serve(n *node.Node, s Store) {
	n.Handle("send", node.Decoded(func(ctx context.Context, _ node.Msg, b sendReq) (any, error) {
		off, err := s.Send(ctx, b.Key, b.Msg)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "send_ok", "offset": off}, nil
	}))
	n.Handle("poll", node.Decoded(func(ctx context.Context, _ node.Msg, b offsetsReq) (any, error) {
		out := map[string][][2]any{}
		for key, from := range b.Offsets {
			msgs, err := s.Log(ctx, key)
			if err != nil {
				return nil, err
			}
			from = max(from, 0)
			for off := from; off < int64(len(msgs)) && off < from+PollLimit; off++ {
				out[key] = append(out[key], [2]any{off, msgs[off]})
			}
		}
		return map[string]any{"type": "poll_ok", "msgs": out}, nil
	}))
	n.Handle("commit_offsets", node.Decoded(func(ctx context.Context, _ node.Msg, b offsetsReq) (any, error) {
		for key, off := range b.Offsets {
			if err := s.Commit(ctx, key, off); err != nil {
				return nil, err
			}
		}
		return map[string]any{"type": "commit_offsets_ok"}, nil
	}))
	n.Handle("list_committed_offsets", node.Decoded(func(ctx context.Context, _ node.Msg, b keysReq) (any, error) {
		out := map[string]int64{}
		for _, key := range b.Keys {
			off, ok, err := s.Committed(ctx, key)
			if err != nil {
				return nil, err
			}
			if ok {
				out[key] = off
			}
		}
		return map[string]any{"type": "list_committed_offsets_ok", "offsets": out}, nil
	}))
}
