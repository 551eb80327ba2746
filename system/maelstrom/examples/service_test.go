package examples

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"faultline/system/maelstrom"
)

// linKV is the real lin-kv service (maelstrom.NewService) answering the
// node processes of a test directly, without a router: a request a node
// sends to "lin-kv" is delivered to the service, whose reply comes back
// to the node. It also counts requests by type. Several node processes
// may share one.
type linKV struct {
	mu    sync.Mutex
	svc   maelstrom.Endpoint
	reply maelstrom.Message // the service's last reply (it answers inside Deliver)
	count map[string]int    // request type -> requests
}

// Send implements maelstrom.Sender: the service's reply.
func (kv *linKV) Send(m maelstrom.Message) { kv.reply = m }

func newLinKV(t *testing.T) *linKV {
	t.Helper()
	kv := &linKV{count: map[string]int{}}
	svc, err := maelstrom.NewService(maelstrom.LinKV, kv, 1)
	if err != nil {
		t.Fatal(err)
	}
	kv.svc = svc
	return kv
}

// requests returns how many requests of type typ the service answered.
func (kv *linKV) requests(typ string) int {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	return kv.count[typ]
}

// set writes value to key behind the nodes' backs (another writer).
func (kv *linKV) set(key, value string) {
	kv.deliver(maelstrom.Message{Src: "c99", Dest: maelstrom.LinKV,
		Body: json.RawMessage(fmt.Sprintf(`{"type":"write","msg_id":1,"key":%s,"value":%s}`, key, value))})
}

// serve is the responder of the service.
func (kv *linKV) serve(m maelstrom.Message) json.RawMessage {
	if h, err := maelstrom.ParseHeader(m.Body); err == nil {
		kv.mu.Lock()
		kv.count[h.Type]++
		kv.mu.Unlock()
	}
	return kv.deliver(m).Body
}

// deliver hands m to the service and returns its reply.
func (kv *linKV) deliver(m maelstrom.Message) maelstrom.Message {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	kv.reply = maelstrom.Message{}
	kv.svc.Deliver(m)
	return kv.reply
}
