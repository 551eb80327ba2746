package examples

import (
	"fmt"
	"testing"

	"faultline/system/maelstrom"
)

// TestKafka runs two kafka nodes on one lin-kv service (the real one,
// answering both nodes' service requests): offsets are dense
// and increasing per key whichever node is asked, polls and committed
// offsets agree across nodes, and concurrent sends through both nodes
// get distinct offsets. The same through the router with faults is left
// to the integration tests.
func TestKafka(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		kv := newLinKV(t)
		serve := map[string]responder{"lin-kv": kv.serve}
		nodes := []*proc{im.node(t, "kafka", serve, "n0", "n0", "n1"), im.node(t, "kafka", serve, "n1", "n0", "n1")}
		on := func(i int) (*proc, string) { return nodes[i%2], fmt.Sprint("n", i%2) }
		for i, msg := range []string{"a", "b", "c", "d"} {
			p, id := on(i)
			if off := sendOffset(t, p, id, "k1", msg); off != int64(i) {
				t.Errorf("send %d of k1 (%q) through %s got offset %d, want %d", i, msg, id, off, i)
			}
		}
		if off := sendOffset(t, nodes[1], "n1", "k2", "z"); off != 0 {
			t.Errorf("first send of k2 got offset %d, want 0", off)
		}
		poll := nodes[1].call("c2", "n1", map[string]any{"type": "poll", "offsets": map[string]int{"k1": 1, "k3": 0}})
		poll.wantType(t, "poll_ok")
		if got, want := jsonOf(poll["msgs"]), `{"k1":[[1,"b"],[2,"c"],[3,"d"]]}`; got != want {
			t.Errorf("poll from k1@1, k3@0 = %s, want %s", got, want)
		}
		commits := []struct {
			node int
			to   int
			want string
		}{{0, 2, `{"k1":2}`}, {1, 1, `{"k1":2}`}, {0, 3, `{"k1":3}`}}
		for _, c := range commits {
			p, id := on(c.node)
			p.call("c3", id, map[string]any{"type": "commit_offsets", "offsets": map[string]int{"k1": c.to}}).
				wantType(t, "commit_offsets_ok")
			q, qid := on(c.node + 1)
			list := q.call("c3", qid, map[string]any{"type": "list_committed_offsets", "keys": []string{"k1", "k2"}})
			list.wantType(t, "list_committed_offsets_ok")
			if got := jsonOf(list["offsets"]); got != c.want {
				t.Errorf("after commit k1=%d on n%d, n%d lists %s, want %s", c.to, c.node%2, (c.node+1)%2, got, c.want)
			}
		}
		concurrentSends(t, nodes, 4)
	})
}

// concurrentSends sends 2*per messages to key "race" through both nodes
// at once and checks that their offsets are distinct and dense.
func concurrentSends(t *testing.T, nodes []*proc, per int) {
	t.Helper()
	ids := map[*proc][]int64{}
	for i := range per {
		for j, p := range nodes {
			ids[p] = append(ids[p], p.send("c4", fmt.Sprint("n", j), map[string]any{"type": "send", "key": "race", "msg": i}))
		}
	}
	seen := map[int64]bool{}
	for _, p := range nodes {
		for _, id := range ids[p] {
			_, b := p.expect("send_ok", func(m maelstrom.Message, b body) bool { return m.Dest == "c4" && b.inReplyTo() == id })
			b.wantType(t, "send_ok")
			off := intField(t, b, "offset")
			if seen[off] {
				t.Errorf("offset %d of key race given twice", off)
			}
			seen[off] = true
		}
	}
	for off := range int64(2 * per) {
		if !seen[off] {
			t.Errorf("offsets of key race are not dense: %d missing from %v", off, seen)
		}
	}
}

// sendOffset sends msg to key through node and returns its offset.
func sendOffset(t *testing.T, p *proc, node, key, msg string) int64 {
	t.Helper()
	b := p.call("c1", node, map[string]any{"type": "send", "key": key, "msg": msg})
	b.wantType(t, "send_ok")
	return intField(t, b, "offset")
}
