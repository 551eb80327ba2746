// Command kafka is a Maelstrom node for the kafka workload, kept in
// Maelstrom's lin-kv service so that any node can serve any request and
// a killed node loses nothing acknowledged.
//
// The log of key K is one lin-kv value, "log/K": a JSON array whose index
// is the offset. send reads the array and compare-and-sets it to the
// array with the message appended, retrying on a lost race (code 22), so
// offsets are dense, unique and increasing. The committed offset of K is
// "commit/K", raised (never lowered) the same way by commit_offsets.
// poll reads the arrays; list_committed_offsets reads the commits.
//
// An operation that gets no answer from lin-kv in time is answered with
// code 0 (timeout, indefinite); one that lost every race for five seconds
// is answered with 11 (temporarily unavailable, definite: every attempt
// was refused).
package main

import (
	"context"
	"encoding/json"
	"time"

	"faultline/system/maelstrom"
	"faultline/system/maelstrom/examples/node"
)

// pollLimit bounds the messages of one key in one poll_ok.
const pollLimit = 100

// updateFor bounds one send or commit's retries of lost races.
const updateFor = 5 * time.Second

type store struct{ kv *node.KV }

// update sets key to next(current) with read and cas until a cas wins.
// next gets nil for a missing key and returns the new value, or ok false
// to leave the key as it is.
func (s store) update(ctx context.Context, key string, next func(cur json.RawMessage) (v any, ok bool, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, updateFor)
	defer cancel()
	for ctx.Err() == nil {
		cur, err := s.kv.Read(ctx, key)
		missing := node.IsCode(err, maelstrom.CodeKeyDoesNotExist)
		if err != nil && !missing {
			return err
		}
		v, ok, err := next(cur)
		if err != nil || !ok {
			return err
		}
		var from any = cur
		if missing {
			from = nil
		}
		err = s.kv.CAS(ctx, key, from, v, missing)
		if !node.IsCode(err, maelstrom.CodePreconditionFailed) {
			return err
		}
	}
	return &maelstrom.RPCError{Code: maelstrom.CodeTemporarilyUnavailable, Text: "lost every race for " + key}
}

func (s store) log(ctx context.Context, key string) ([]json.RawMessage, error) {
	raw, err := s.kv.Read(ctx, "log/"+key)
	if node.IsCode(err, maelstrom.CodeKeyDoesNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var msgs []json.RawMessage
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, &maelstrom.RPCError{Code: maelstrom.CodeCrash, Text: "log/" + key + " is not an array"}
	}
	return msgs, nil
}

func (s store) send(ctx context.Context, key string, msg json.RawMessage) (int, error) {
	var offset int
	err := s.update(ctx, "log/"+key, func(cur json.RawMessage) (any, bool, error) {
		var msgs []json.RawMessage
		if cur != nil {
			if err := json.Unmarshal(cur, &msgs); err != nil {
				return nil, false, err
			}
		}
		offset = len(msgs)
		return append(msgs, msg), true, nil
	})
	return offset, err
}

func (s store) commit(ctx context.Context, key string, offset int64) error {
	return s.update(ctx, "commit/"+key, func(cur json.RawMessage) (any, bool, error) {
		var have int64 = -1
		if cur != nil {
			if err := json.Unmarshal(cur, &have); err != nil {
				return nil, false, err
			}
		}
		return offset, offset > have, nil
	})
}

func main() {
	n := node.New()
	s := store{kv: node.NewKV(n, "lin-kv")}
	n.Handle("send", func(ctx context.Context, req node.Msg) (any, error) {
		var b struct {
			Key string          `json:"key"`
			Msg json.RawMessage `json:"msg"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		off, err := s.send(ctx, b.Key, b.Msg)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "send_ok", "offset": off}, nil
	})
	n.Handle("poll", func(ctx context.Context, req node.Msg) (any, error) {
		var b struct {
			Offsets map[string]int `json:"offsets"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		out := map[string][][2]any{}
		for key, from := range b.Offsets {
			msgs, err := s.log(ctx, key)
			if err != nil {
				return nil, err
			}
			for off := max(from, 0); off < len(msgs) && off < max(from, 0)+pollLimit; off++ {
				out[key] = append(out[key], [2]any{off, msgs[off]})
			}
		}
		return map[string]any{"type": "poll_ok", "msgs": out}, nil
	})
	n.Handle("commit_offsets", func(ctx context.Context, req node.Msg) (any, error) {
		var b struct {
			Offsets map[string]int64 `json:"offsets"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		for key, off := range b.Offsets {
			if err := s.commit(ctx, key, off); err != nil {
				return nil, err
			}
		}
		return map[string]any{"type": "commit_offsets_ok"}, nil
	})
	n.Handle("list_committed_offsets", func(ctx context.Context, req node.Msg) (any, error) {
		var b struct {
			Keys []string `json:"keys"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		out := map[string]int64{}
		for _, key := range b.Keys {
			raw, err := s.kv.Read(ctx, "commit/"+key)
			if node.IsCode(err, maelstrom.CodeKeyDoesNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			var off int64
			if err := json.Unmarshal(raw, &off); err != nil {
				return nil, err
			}
			out[key] = off
		}
		return map[string]any{"type": "list_committed_offsets_ok", "offsets": out}, nil
	})
	n.Main()
}
