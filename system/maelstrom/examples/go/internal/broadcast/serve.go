package broadcast

import (
	"context"
	"encoding/json"
	"sync"

	"faultline/system/maelstrom"
	"faultline/system/maelstrom/examples/node"
)

// Spread passes a new value on to the neighbours in to (every neighbour
// but the node it came from). It is called outside the server's lock.
type Spread func(v json.RawMessage, to []string)

// Workload names the requests of a set workload: broadcast's or g-set's.
type Workload struct {
	Add       string // the add request's type
	Field     string // its value field
	ReadField string // the read_ok reply's list field
}

// The set workloads of Maelstrom.
var (
	Broadcast = Workload{Add: "broadcast", Field: "message", ReadField: "messages"}
	GSet      = Workload{Add: "add", Field: "element", ReadField: "value"}
)

type server struct {
	n          *node.Node
	w          Workload
	spread     Spread
	mu         sync.Mutex
	values     node.Set
	neighbours []string
}

// Serve registers on n the handlers of workload w (its add and read, and
// topology) and of gossip between nodes; every value new to this node
// goes to spread. Until a topology message names the node's neighbours,
// every other node is one.
func Serve(n *node.Node, w Workload, spread Spread) {
	s := &server{n: n, w: w, spread: spread}
	n.OnInit(func(context.Context) {
		s.mu.Lock()
		s.neighbours = n.Peers()
		s.mu.Unlock()
	})
	n.Handle("topology", s.topology)
	n.Handle(w.Add, s.addValue)
	n.Handle("gossip", s.gossip)
	n.Handle("read", s.read)
}

// add keeps v and spreads it if it is new.
func (s *server) add(v json.RawMessage, from string) {
	s.mu.Lock()
	fresh := s.values.Add(v)
	var to []string
	for _, nb := range s.neighbours {
		if nb != from {
			to = append(to, nb)
		}
	}
	s.mu.Unlock()
	if fresh {
		s.spread(v, to)
	}
}

func (s *server) topology(_ context.Context, req node.Msg) (any, error) {
	var b struct {
		Topology map[string][]string `json:"topology"`
	}
	if err := req.Decode(&b); err != nil {
		return nil, err
	}
	if nbs, ok := b.Topology[s.n.ID()]; ok {
		s.mu.Lock()
		s.neighbours = nbs
		s.mu.Unlock()
	}
	return map[string]any{"type": "topology_ok"}, nil
}

func (s *server) addValue(_ context.Context, req node.Msg) (any, error) {
	var b map[string]json.RawMessage
	if err := req.Decode(&b); err != nil {
		return nil, err
	}
	v, ok := b[s.w.Field]
	if !ok {
		return nil, &maelstrom.RPCError{Code: maelstrom.CodeMalformedRequest, Text: s.w.Add + " without " + s.w.Field}
	}
	s.add(v, "")
	return map[string]any{"type": s.w.Add + "_ok"}, nil
}

func (s *server) gossip(_ context.Context, req node.Msg) (any, error) {
	var b struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := req.Decode(&b); err != nil {
		return nil, err
	}
	for _, v := range b.Messages {
		s.add(v, req.Src)
	}
	return map[string]any{"type": "gossip_ok"}, nil
}

func (s *server) read(context.Context, node.Msg) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{"type": "read_ok", s.w.ReadField: s.values.Values()}, nil
}
