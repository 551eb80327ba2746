package maelstrom

import (
	"encoding/json"
	"fmt"
)

// maxOffset bounds the offsets the decoders take (JSON's exact integers),
// so that offset arithmetic never overflows; offsets are never negative.
const maxOffset = 1 << 53

// checkOffset rejects offsets outside [0, maxOffset].
func checkOffset(what string, o int64) error {
	if o < 0 || o > maxOffset {
		return fmt.Errorf("%s: offset %d outside [0, 2^53]", what, o)
	}
	return nil
}

// pair is one [offset, message] of a poll reply; msg is canonical JSON.
type pair struct {
	offset int64
	msg    string
}

// decodeMsgs decodes a poll_ok body's msgs: key -> [[offset, msg], ...].
// A missing msgs field is an empty poll.
func decodeMsgs(body string) (map[string][]pair, error) {
	var b struct {
		Msgs map[string][]json.RawMessage `json:"msgs"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return nil, fmt.Errorf("poll reply: %w", err)
	}
	out := make(map[string][]pair, len(b.Msgs))
	for k, raws := range b.Msgs {
		ps := make([]pair, 0, len(raws))
		for _, raw := range raws {
			var two []json.RawMessage
			if err := json.Unmarshal(raw, &two); err != nil || len(two) != 2 {
				return nil, fmt.Errorf("poll reply: key %q: %s is not an [offset, msg] pair", k, snip(string(raw)))
			}
			var o int64
			if err := json.Unmarshal(two[0], &o); err != nil {
				return nil, fmt.Errorf("poll reply: key %q: offset %s: %w", k, snip(string(two[0])), err)
			}
			if err := checkOffset("poll reply", o); err != nil {
				return nil, err
			}
			ps = append(ps, pair{o, canonical(two[1])})
		}
		out[k] = ps
	}
	return out, nil
}

// decodeOffsets decodes the offsets field (key -> offset) of a poll or
// commit_offsets request or a list_committed_offsets_ok reply. A missing
// field is an empty map.
func decodeOffsets(body string) (map[string]int64, error) {
	var b struct {
		Offsets map[string]int64 `json:"offsets"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return nil, fmt.Errorf("offsets: %w", err)
	}
	for _, o := range b.Offsets {
		if err := checkOffset("offsets", o); err != nil {
			return nil, err
		}
	}
	return b.Offsets, nil
}

// decodeSend decodes a send request's key and canonical message.
func decodeSend(body string) (key, msg string, err error) {
	var b struct {
		Key string          `json:"key"`
		Msg json.RawMessage `json:"msg"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return "", "", fmt.Errorf("send request: %w", err)
	}
	if b.Msg == nil {
		return "", "", fmt.Errorf("send request has no msg")
	}
	return b.Key, canonical(b.Msg), nil
}

// decodeSendOK decodes a send_ok reply's offset.
func decodeSendOK(body string) (int64, error) {
	var b struct {
		Offset *int64 `json:"offset"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return 0, fmt.Errorf("send reply: %w", err)
	}
	if b.Offset == nil {
		return 0, fmt.Errorf("send reply has no offset")
	}
	return *b.Offset, checkOffset("send reply", *b.Offset)
}
