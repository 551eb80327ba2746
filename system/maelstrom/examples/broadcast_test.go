package examples

import (
	"encoding/json"
	"slices"
	"testing"

	"faultline/system/maelstrom"
)

func TestBroadcastOneNode(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := im.node(t, "broadcast", nil, "n0", "n0")
		p.call("c0", "n0", map[string]any{"type": "topology", "topology": map[string][]string{"n0": {}}}).
			wantType(t, "topology_ok")
		for _, v := range []string{`1`, `2`, `"three"`, `2`} {
			p.call("c1", "n0", map[string]any{"type": "broadcast", "message": rawJSON(v)}).wantType(t, "broadcast_ok")
		}
		if got, want := readSet(t, p, "c2", "n0"), []string{`"three"`, `1`, `2`}; !slices.Equal(got, want) {
			t.Errorf("read = %v, want %v (each value once)", got, want)
		}
	})
}

// TestBroadcastGossipRetries checks the node's side of gossip with the
// test as its only neighbour n1: an unacknowledged value is sent again,
// an acknowledged one is not, and values gossiped to it are kept and
// acknowledged. Gossip among real nodes through the router, under
// partitions, is left to the integration tests.
func TestBroadcastGossipRetries(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := im.node(t, "broadcast", nil, "n0", "n0", "n1")
		p.call("c0", "n0", map[string]any{"type": "topology",
			"topology": map[string][]string{"n0": {"n1"}, "n1": {"n0"}}}).wantType(t, "topology_ok")
		p.call("c1", "n0", map[string]any{"type": "broadcast", "message": 7}).wantType(t, "broadcast_ok")
		gossipWith := func(v string) func(maelstrom.Message, body) bool {
			return func(m maelstrom.Message, b body) bool {
				return m.Dest == "n1" && b["type"] == "gossip" && slices.Contains(values(b["messages"]), v)
			}
		}
		first, _ := p.expect("gossip of 7 to n1", gossipWith("7"))
		// Not acknowledged: the node must send 7 again.
		again, b := p.expect("gossip of 7 to n1 again", func(m maelstrom.Message, b body) bool {
			return gossipWith("7")(m, b) && string(m.Body) != string(first.Body)
		})
		p.reply(again, b, map[string]any{"type": "gossip_ok"})
		p.call("c1", "n0", map[string]any{"type": "broadcast", "message": 8}).wantType(t, "broadcast_ok")
		_, b8 := p.expect("gossip of 8 to n1", gossipWith("8"))
		if slices.Contains(values(b8["messages"]), "7") {
			t.Errorf("7 was acknowledged by n1 but sent again: %v", b8)
		}
		p.call("n1", "n0", map[string]any{"type": "gossip", "messages": []int{9, 7}}).wantType(t, "gossip_ok")
		if got, want := readSet(t, p, "c2", "n0"), []string{"7", "8", "9"}; !slices.Equal(got, want) {
			t.Errorf("read = %v, want %v", got, want)
		}
	})
}

// TestGSet: the g-set node takes add with an element, answers add_ok,
// lists the elements under "value", and gossips a new element to its
// peer, resending it until acknowledged, as the broadcast node does.
func TestGSet(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := im.node(t, "g-set", nil, "n0", "n0", "n1")
		for _, v := range []string{`3`, `1`, `3`} {
			p.call("c1", "n0", map[string]any{"type": "add", "element": rawJSON(v)}).wantType(t, "add_ok")
		}
		p.call("c1", "n0", map[string]any{"type": "add"}).wantType(t, "error")
		isGossip := func(m maelstrom.Message, b body) bool {
			return m.Dest == "n1" && b["type"] == "gossip" && slices.Contains(values(b["messages"]), "1")
		}
		first, _ := p.expect("gossip of 1 to n1", isGossip)
		p.expect("gossip of 1 to n1 again", func(m maelstrom.Message, b body) bool {
			return isGossip(m, b) && string(m.Body) != string(first.Body)
		})
		p.call("n1", "n0", map[string]any{"type": "gossip", "messages": []int{5}}).wantType(t, "gossip_ok")
		if got, want := readList(t, p, "c2", "n0", "value"), []string{"1", "3", "5"}; !slices.Equal(got, want) {
			t.Errorf("read = %v, want %v", got, want)
		}
	})
}

// readSet reads a broadcast node and returns its messages as sorted JSON
// texts.
func readSet(t *testing.T, p *proc, src, dest string) []string {
	t.Helper()
	return readList(t, p, src, dest, "messages")
}

// readList reads a set node and returns the list field of its read_ok
// as sorted JSON texts.
func readList(t *testing.T, p *proc, src, dest, field string) []string {
	t.Helper()
	b := p.call(src, dest, map[string]any{"type": "read"})
	b.wantType(t, "read_ok")
	got := values(b[field])
	if got == nil {
		t.Fatalf("read_ok without a %s array: %v", field, b)
	}
	slices.Sort(got)
	return got
}

// reply answers the request m (with body b) that the node sent.
func (p *proc) reply(m maelstrom.Message, b body, reply map[string]any) {
	p.t.Helper()
	reply["in_reply_to"] = b["msg_id"]
	raw, err := json.Marshal(reply)
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(maelstrom.Message{Src: m.Dest, Dest: m.Src, Body: raw})
}
