package maelstrom

import (
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// arrival is a message a sink took, with when.
type arrival struct {
	msg Message
	at  time.Time
}

// sink is a test endpoint that keeps what it is given, refusing messages
// once it holds limit of them (limit < 0: never).
type sink struct {
	id    string
	limit int

	mu  sync.Mutex
	got []arrival
}

func newSink(id string) *sink { return &sink{id: id, limit: -1} }

func (s *sink) ID() string { return s.id }

func (s *sink) Deliver(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit >= 0 && len(s.got) >= s.limit {
		return false
	}
	s.got = append(s.got, arrival{m, time.Now()})
	return true
}

func (s *sink) arrivals() []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]arrival(nil), s.got...)
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// echo is a test node: it answers every request with its body, type
// "<type>_ok" and in_reply_to, through the router.
type echo struct {
	id  string
	out Sender
}

func (e *echo) ID() string { return e.id }

func (e *echo) Deliver(m Message) bool {
	var body map[string]any
	if err := json.Unmarshal(m.Body, &body); err != nil {
		return true
	}
	body["in_reply_to"] = body["msg_id"]
	delete(body, "msg_id")
	body["type"] = body["type"].(string) + "_ok"
	b, _ := json.Marshal(body)
	e.out.Send(Message{Src: e.id, Dest: m.Src, Body: b})
	return true
}

// newTestRouter starts a router closed at the end of the test.
func newTestRouter(t *testing.T, cfg RouterConfig) *Router {
	t.Helper()
	r := NewRouter(cfg)
	t.Cleanup(r.Close)
	return r
}

// attach attaches endpoints or fails the test.
func attach(t *testing.T, r *Router, eps ...Endpoint) {
	t.Helper()
	for _, ep := range eps {
		if err := r.Attach(ep); err != nil {
			t.Fatal(err)
		}
	}
}

// msg builds a message with a body of type typ and msg_id id.
func msg(src, dest, typ string, id int64) Message {
	b, _ := json.Marshal(map[string]any{"type": typ, "msg_id": id})
	return Message{Src: src, Dest: dest, Body: b}
}

// msgID returns the msg_id of m's body, or -1.
func msgID(m Message) int64 {
	h, err := ParseHeader(m.Body)
	if err != nil || h.MsgID == nil {
		return -1
	}
	return *h.MsgID
}
