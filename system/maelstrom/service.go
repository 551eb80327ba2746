package maelstrom

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// Service names, the Maelstrom ids services are reachable at.
const (
	LinKV  = "lin-kv"  // a linearizable key/value store
	SeqKV  = "seq-kv"  // a sequentially consistent key/value store
	LWWKV  = "lww-kv"  // an eventually consistent, last-write-wins key/value store
	LinTSO = "lin-tso" // a linearizable timestamp oracle
)

// ServiceNames lists the services NewService makes.
func ServiceNames() []string { return []string{LinKV, SeqKV, LWWKV, LinTSO} }

// store is one service's state machine. The service's lock serialises
// calls, so a store is a plain sequential object.
type store interface {
	// handle answers one request from src with a reply body (without
	// in_reply_to; the service adds it).
	handle(src string, req *kvRequest) any
}

// service is an Endpoint that answers requests to a store, sending each
// reply back to the request's src through its Sender, so that replies
// cross the network (links and faults) as Maelstrom's do.
type service struct {
	name string
	out  Sender

	mu sync.Mutex
	st store
}

var _ Endpoint = (*service)(nil)

// NewService returns the service name (one of ServiceNames), answering
// through s, its random choices (seq-kv's stale states, lww-kv's replicas)
// drawn from seed. Attach it to the router s is. Services answer as
// doc/services.md of Maelstrom says:
//
//   - lin-kv: read, write and cas (with create_if_not_exists) on one
//     linearizable map; errors 20 key-does-not-exist and 22
//     precondition-failed.
//   - seq-kv: the same API, sequentially consistent: an op that changes
//     nothing may see any of the last 32 states no older than what its
//     client (the request's src) saw or did before; an op that changes
//     state applies to the latest. Each client sees a monotonic order.
//   - lww-kv: the same API on 5 replicas; each request lands on a random
//     replica after one random replica has merged into another, newer
//     write (Lamport clock, then replica) winning; replicas converge.
//   - lin-tso: "ts" answers ts_ok with ts 0, 1, 2, ...
//
// Requests of other types get not-supported (10); bodies that do not
// decode get malformed-request (12). Replies (bodies with in_reply_to)
// are ignored. Deliver handles a request at once and never blocks.
func NewService(name string, s Sender, seed int64) (Endpoint, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x2545f4914f6cdd1d))
	var st store
	switch name {
	case LinKV:
		st = kvStore{linKV{}}
	case SeqKV:
		st = kvStore{newSeqKV(rng)}
	case LWWKV:
		st = kvStore{newLWWKV(lwwReplicas, rng)}
	case LinTSO:
		st = &linTSO{}
	default:
		return nil, fmt.Errorf("maelstrom: unknown service %q, want one of %s", name, strings.Join(ServiceNames(), ", "))
	}
	return &service{name: name, out: s, st: st}, nil
}

// ID implements Endpoint.
func (s *service) ID() string { return s.name }

// Deliver implements Endpoint.
func (s *service) Deliver(m Message) bool {
	h, req, bad, ok := decodeRequest(s.name, m)
	if !ok {
		return true // a reply: services answer requests only
	}
	body := bad
	if body == nil {
		s.mu.Lock()
		body = s.st.handle(m.Src, &req)
		s.mu.Unlock()
	}
	s.out.Send(Message{Src: s.name, Dest: m.Src, Body: replyBody(body, h.MsgID)})
	return true
}

// decodeRequest decodes m, sent to service name, as a request: ok is
// false for a reply (services ignore replies); bad is the error reply to
// a body that does not decode.
func decodeRequest(name string, m Message) (h Header, req kvRequest, bad any, ok bool) {
	h, err := ParseHeader(m.Body)
	if err == nil && h.InReplyTo != nil {
		return h, req, nil, false
	}
	if err == nil {
		err = json.Unmarshal(m.Body, &req)
	}
	if err != nil {
		bad = &ErrorBody{Type: "error", Code: CodeMalformedRequest, Text: fmt.Sprintf("%s: request does not decode: %v", name, err)}
	}
	return h, req, bad, true
}

// replyBody encodes body with in_reply_to set to inReplyTo (if any).
func replyBody(body any, inReplyTo *int64) json.RawMessage {
	b, err := json.Marshal(body)
	if err != nil || len(b) < 2 || b[0] != '{' {
		panic(fmt.Sprintf("maelstrom: service reply %T does not encode as an object: %v", body, err))
	}
	if inReplyTo == nil {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, `{"in_reply_to":`...)
	out = strconv.AppendInt(out, *inReplyTo, 10)
	if len(b) > 2 {
		out = append(out, ',')
	}
	return append(out, b[1:]...)
}

// kvState is the state of a key/value service: how it answers one
// decoded kv op from src.
type kvState interface {
	do(src string, op *kvOp) any
}

// kvStore adapts a kvState to a store: it decodes the op's operands.
type kvStore struct{ kv kvState }

func (k kvStore) handle(src string, req *kvRequest) any {
	op, bad := kvOpOf(req)
	if bad != nil {
		return bad
	}
	return k.kv.do(src, &op)
}

// kvOpOf decodes a kv service's request (read, write or cas), or returns
// the error reply: not-supported for another type, malformed-request for
// operands that do not decode.
func kvOpOf(req *kvRequest) (kvOp, *ErrorBody) {
	switch req.Type {
	case "read", "write", "cas":
	default:
		return kvOp{}, &ErrorBody{Type: "error", Code: CodeNotSupported, Text: "unknown request type " + req.Type}
	}
	op, err := parseKVOp(req)
	if err != nil {
		return kvOp{}, &ErrorBody{Type: "error", Code: CodeMalformedRequest, Text: err.Error()}
	}
	return op, nil
}

// linKV is lin-kv: one map, every op applied in arrival order.
type linKV map[string]string

func (m linKV) do(_ string, op *kvOp) any {
	cur, ok := m[op.key]
	res := op.apply(cur, ok)
	if res.write {
		m[op.key] = res.value
	}
	return res.reply
}

// linTSO is lin-tso: the next timestamp.
type linTSO struct{ next int64 }

// tsOK is lin-tso's reply.
type tsOK struct {
	Type string `json:"type"`
	TS   int64  `json:"ts"`
}

func (t *linTSO) handle(_ string, req *kvRequest) any {
	if req.Type != "ts" {
		return &ErrorBody{Type: "error", Code: CodeNotSupported, Text: "unknown request type " + req.Type + ", want ts"}
	}
	ts := t.next
	t.next++
	return &tsOK{Type: "ts_ok", TS: ts}
}
