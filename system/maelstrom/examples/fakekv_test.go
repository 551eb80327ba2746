package examples

import (
	"encoding/json"
	"sync"

	"faultline/system/maelstrom"
)

// fakeKV stands in for Maelstrom's lin-kv service in these tests: one
// map behind a lock, so every request is atomic and in one order, with
// the service's replies (read_ok, write_ok, cas_ok, errors 20 and 22, and
// create_if_not_exists). It also counts requests by type. Several node
// processes may share one.
type fakeKV struct {
	mu    sync.Mutex
	m     map[string]json.RawMessage // canonical key -> value
	count map[string]int             // request type -> requests
}

func newFakeKV() *fakeKV {
	return &fakeKV{m: map[string]json.RawMessage{}, count: map[string]int{}}
}

// requests returns how many requests of type typ the service answered.
func (kv *fakeKV) requests(typ string) int {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	return kv.count[typ]
}

// set changes key behind the nodes' backs (another writer).
func (kv *fakeKV) set(key, value string) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	kv.m[canon(key)] = json.RawMessage(value)
}

// serve is the responder of the service.
func (kv *fakeKV) serve(m maelstrom.Message) json.RawMessage {
	var req struct {
		Type   string          `json:"type"`
		MsgID  *int64          `json:"msg_id"`
		Key    json.RawMessage `json:"key"`
		Value  json.RawMessage `json:"value"`
		From   json.RawMessage `json:"from"`
		To     json.RawMessage `json:"to"`
		Create bool            `json:"create_if_not_exists"`
	}
	if err := json.Unmarshal(m.Body, &req); err != nil {
		return maelstrom.ErrorReply(nil, maelstrom.CodeMalformedRequest, err.Error())
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	kv.count[req.Type]++
	k := canon(string(req.Key))
	cur, ok := kv.m[k]
	reply := func(typ string, value json.RawMessage) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"type": typ, "in_reply_to": req.MsgID, "value": value})
		if value == nil {
			b, _ = json.Marshal(map[string]any{"type": typ, "in_reply_to": req.MsgID})
		}
		return b
	}
	switch {
	case req.Type == "read" && ok:
		return reply("read_ok", cur)
	case req.Type == "write":
		kv.m[k] = req.Value
		return reply("write_ok", nil)
	case req.Type == "cas" && !ok && req.Create:
		kv.m[k] = req.To
		return reply("cas_ok", nil)
	case req.Type == "cas" && ok && canon(string(cur)) == canon(string(req.From)):
		kv.m[k] = req.To
		return reply("cas_ok", nil)
	case req.Type == "cas" && ok:
		return maelstrom.ErrorReply(req.MsgID, maelstrom.CodePreconditionFailed, "current value is "+string(cur))
	case req.Type == "read" || req.Type == "cas":
		return maelstrom.ErrorReply(req.MsgID, maelstrom.CodeKeyDoesNotExist, "no key "+k)
	}
	return maelstrom.ErrorReply(req.MsgID, maelstrom.CodeNotSupported, req.Type)
}
