package main

import (
	"context"
	"encoding/json"
	"time"

	"faultline/system/maelstrom"
	"faultline/system/maelstrom/examples/go/internal/kafka"
	"faultline/system/maelstrom/examples/node"
)

// updateFor bounds one send or commit's retries of lost races.
const updateFor = 5 * time.Second

// store is a kafka.Store in the lin-kv service.
type store struct{ kv *node.KV }

var _ kafka.Store = store{}

// update sets key to next(current) with read and cas until a cas wins.
// next gets nil for a missing key and returns the new value, or ok false
// to leave the key as it is.
func (s store) update(ctx context.Context, key string, next func(cur json.RawMessage) (v any, ok bool, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, updateFor)
	defer cancel()
	for ctx.Err() == nil {
		cur, err := s.read(ctx, key)
		if err != nil {
			return err
		}
		v, ok, err := next(cur)
		if err != nil || !ok {
			return err
		}
		err = s.kv.CAS(ctx, key, cur, v, cur == nil) // nil cur: from null, create
		if !node.IsCode(err, maelstrom.CodePreconditionFailed) {
			return err
		}
	}
	return &maelstrom.RPCError{Code: maelstrom.CodeTemporarilyUnavailable, Text: "lost every race for " + key}
}

// read returns the value of key, nil for a missing key.
func (s store) read(ctx context.Context, key string) (json.RawMessage, error) {
	v, err := s.kv.Read(ctx, key)
	if node.IsCode(err, maelstrom.CodeKeyDoesNotExist) {
		return nil, nil
	}
	return v, err
}

// decode decodes a value read from lin-kv into v (left as it is for nil).
func decode(raw json.RawMessage, key string, v any) error {
	if raw == nil {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &maelstrom.RPCError{Code: maelstrom.CodeCrash, Text: "lin-kv holds a bad " + key + ": " + err.Error()}
	}
	return nil
}

func (s store) Send(ctx context.Context, key string, msg json.RawMessage) (int, error) {
	var offset int
	err := s.update(ctx, "log/"+key, func(cur json.RawMessage) (any, bool, error) {
		var msgs []json.RawMessage
		if err := decode(cur, "log/"+key, &msgs); err != nil {
			return nil, false, err
		}
		offset = len(msgs)
		return append(msgs, msg), true, nil
	})
	return offset, err
}

func (s store) Log(ctx context.Context, key string) ([]json.RawMessage, error) {
	raw, err := s.read(ctx, "log/"+key)
	if err != nil {
		return nil, err
	}
	var msgs []json.RawMessage
	return msgs, decode(raw, "log/"+key, &msgs)
}

func (s store) Commit(ctx context.Context, key string, offset int64) error {
	return s.update(ctx, "commit/"+key, func(cur json.RawMessage) (any, bool, error) {
		have := int64(-1)
		if err := decode(cur, "commit/"+key, &have); err != nil {
			return nil, false, err
		}
		return offset, offset > have, nil
	})
}

func (s store) Committed(ctx context.Context, key string) (int64, bool, error) {
	raw, err := s.read(ctx, "commit/"+key)
	if err != nil || raw == nil {
		return 0, false, err
	}
	var off int64
	return off, true, decode(raw, "commit/"+key, &off)
}

func main() {
	n := node.New()
	kafka.Serve(n, store{kv: node.NewKV(n, "lin-kv")})
	n.Main()
}
