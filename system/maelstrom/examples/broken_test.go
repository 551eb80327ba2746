package examples

import (
	"testing"

	"faultline/system/maelstrom"
)

// The broken nodes' flaws, shown at the protocol level where one process
// is enough. That the checkers catch them in a real run (partitions,
// lossy links, several nodes through the router) is left to the
// integration tests.

// TestBrokenBroadcastSendsOnce: the broken node's gossip has no msg_id,
// so it can never be acknowledged, and is never resent.
func TestBrokenBroadcastSendsOnce(t *testing.T) {
	t.Parallel()
	im := impl{"go", goNode}
	p := im.node(t, "broken-broadcast", nil, "n0", "n0", "n1")
	p.call("c1", "n0", map[string]any{"type": "broadcast", "message": 7}).wantType(t, "broadcast_ok")
	_, b := p.expect("gossip of 7 to n1", func(m maelstrom.Message, b body) bool {
		return m.Dest == "n1" && b["type"] == "gossip"
	})
	if _, ok := b["msg_id"]; ok {
		t.Errorf("broken gossip %v has a msg_id: it could be acknowledged and resent", b)
	}
}

// TestStaleRead: another writer changes a key the node wrote; the correct
// lin-kv node reads the new value from the service, the broken one
// answers the old one from its cache without asking.
func TestStaleRead(t *testing.T) {
	t.Parallel()
	cases := []struct {
		im        impl
		name      string
		want      string
		askedRead bool
	}{
		{impl{"go", goNode}, "lin-kv", "2", true},
		{impl{"python", pyNode}, "lin-kv", "2", true},
		{impl{"go", goNode}, "broken-lin-kv", "1", false},
	}
	for _, c := range cases {
		t.Run(c.im.lang+"/"+c.name, func(t *testing.T) {
			kv := newLinKV(t)
			p := c.im.node(t, c.name, map[string]responder{"lin-kv": kv.serve}, "n0", "n0", "n1")
			p.call("c1", "n0", map[string]any{"type": "write", "key": 1, "value": 1}).wantType(t, "write_ok")
			kv.set("1", "2") // n1's write, say
			b := p.call("c1", "n0", map[string]any{"type": "read", "key": 1})
			b.wantType(t, "read_ok")
			if got := jsonOf(b["value"]); got != c.want {
				t.Errorf("read after another writer set 2 = %s, want %s", got, c.want)
			}
			if asked := kv.requests("read") > 0; asked != c.askedRead {
				t.Errorf("node asked lin-kv to read: %v, want %v", asked, c.askedRead)
			}
		})
	}
}

// TestBrokenCounterDoubleCounts: the broken counter resends an
// unacknowledged delta, and counts every delta it receives, a resent one
// too.
func TestBrokenCounterDoubleCounts(t *testing.T) {
	t.Parallel()
	im := impl{"go", goNode}
	p := im.node(t, "broken-counter", nil, "n0", "n0", "n1")
	p.call("c1", "n0", map[string]any{"type": "add", "delta": 1}).wantType(t, "add_ok")
	isDelta := func(m maelstrom.Message, b body) bool { return m.Dest == "n1" && b["type"] == "delta" }
	first, _ := p.expect("the delta pushed to n1", isDelta)
	p.expect("the delta resent to n1", func(m maelstrom.Message, b body) bool {
		return isDelta(m, b) && string(m.Body) != string(first.Body)
	})
	for range 2 { // n1 resends its delta of 3 (the ack of the first was lost)
		p.call("n1", "n0", map[string]any{"type": "delta", "delta": 3}).wantType(t, "delta_ok")
	}
	if got := readCounter(t, p, "n0"); got != 7 {
		t.Errorf("1 of its own and n1's 3 sent twice read as %d; the broken counter should say 7", got)
	}
}

// TestBrokenKafkaReusesOffsets: two broken kafka nodes give offset 0 of
// one key to two different messages.
func TestBrokenKafkaReusesOffsets(t *testing.T) {
	t.Parallel()
	im := impl{"go", goNode}
	a := im.node(t, "broken-kafka", nil, "n0", "n0", "n1")
	b := im.node(t, "broken-kafka", nil, "n1", "n0", "n1")
	if offA, offB := sendOffset(t, a, "n0", "k1", "a"), sendOffset(t, b, "n1", "k1", "b"); offA != 0 || offB != 0 {
		t.Errorf("sends of k1 through n0 and n1 got offsets %d and %d; the broken node should reuse 0", offA, offB)
	}
}
