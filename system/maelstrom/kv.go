package maelstrom

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// kvRequest is a request to a key/value service (lin-kv, seq-kv, lww-kv;
// the lin-kv workload's API): read key; write key value; cas key from to,
// with create_if_not_exists. A missing key, value, from or to is JSON null,
// as under Maelstrom.
type kvRequest struct {
	Type              string          `json:"type"`
	MsgID             *int64          `json:"msg_id"`
	InReplyTo         *int64          `json:"in_reply_to"`
	Key               json.RawMessage `json:"key"`
	Value             json.RawMessage `json:"value"`
	From              json.RawMessage `json:"from"`
	To                json.RawMessage `json:"to"`
	CreateIfNotExists bool            `json:"create_if_not_exists"`
}

// canonical re-encodes a JSON value so that equal values have equal
// encodings (object keys sorted, no spaces; numbers keep their text). An
// absent value is null.
func canonical(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "null", nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// kvOp is a kv request decoded for a store: its key, and its operands in
// canonical form.
type kvOp struct {
	typ      string
	key      string
	value    string // write
	from, to string // cas
	create   bool   // cas create_if_not_exists
}

// parseKVOp decodes req's operands, or returns a malformed-request error
// text.
func parseKVOp(req *kvRequest) (kvOp, error) {
	op := kvOp{typ: req.Type, create: req.CreateIfNotExists}
	var err error
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"key", req.Key, &op.key}, {"value", req.Value, &op.value}, {"from", req.From, &op.from}, {"to", req.To, &op.to}} {
		if *f.dst, err = canonical(f.raw); err != nil {
			return kvOp{}, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return op, nil
}

// kvResult is the outcome of a kv op on one state of the store.
type kvResult struct {
	reply any    // the reply body (without in_reply_to)
	write bool   // the op sets the key
	value string // to this
}

// kvOK is the body of a kv service's success reply.
type kvOK struct {
	Type      string          `json:"type"`
	InReplyTo *int64          `json:"in_reply_to,omitempty"`
	Value     json.RawMessage `json:"value,omitempty"`
}

// apply evaluates op on a state where the key holds cur (if exists). A
// read, or an op that fails, writes nothing.
func (op *kvOp) apply(cur string, exists bool) kvResult {
	switch op.typ {
	case "read":
		if !exists {
			return kvResult{reply: keyMissing()}
		}
		return kvResult{reply: &kvOK{Type: "read_ok", Value: json.RawMessage(cur)}}
	case "write":
		return kvResult{reply: &kvOK{Type: "write_ok"}, write: true, value: op.value}
	case "cas":
		switch {
		case !exists && !op.create:
			return kvResult{reply: keyMissing()}
		case exists && cur != op.from:
			return kvResult{reply: &ErrorBody{Type: "error", Code: CodePreconditionFailed,
				Text: fmt.Sprintf("current value %s is not %s", cur, op.from)}}
		}
		return kvResult{reply: &kvOK{Type: "cas_ok"}, write: true, value: op.to}
	}
	return kvResult{reply: &ErrorBody{Type: "error", Code: CodeNotSupported, Text: "unknown request type " + op.typ}}
}

// changes reports whether r alters a state where the key holds cur.
func (r *kvResult) changes(cur string, exists bool) bool {
	return r.write && (!exists || r.value != cur)
}

func keyMissing() *ErrorBody {
	return &ErrorBody{Type: "error", Code: CodeKeyDoesNotExist, Text: "key does not exist"}
}
