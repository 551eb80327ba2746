package examples

import (
	"encoding/json"
	"testing"

	"faultline/system/maelstrom"
)

func TestCounterOneNode(t *testing.T) {
	for _, im := range impls {
		t.Run(im.lang, func(t *testing.T) {
			p := start(t, im.cmd(t, "g-counter"), nil)
			p.init("n0", "n0")
			if got := readCounter(t, p, "n0"); got != 0 {
				t.Errorf("fresh counter reads %d, want 0", got)
			}
			for _, d := range []int{1, 2, 3, 0, -2} { // -2: pn-counter
				p.call("c1", "n0", map[string]any{"type": "add", "delta": d}).wantType(t, "add_ok")
			}
			if got := readCounter(t, p, "n0"); got != 4 {
				t.Errorf("after adds 1, 2, 3, 0, -2 the counter reads %d, want 4", got)
			}
		})
	}
}

// TestCounterMerge checks the node's side of the state gossip with the
// test as peer n1: the node sends its state, and merging the same state
// twice counts it once. Convergence among real nodes through the router
// is left to the integration tests.
func TestCounterMerge(t *testing.T) {
	for _, im := range impls {
		t.Run(im.lang, func(t *testing.T) {
			p := start(t, im.cmd(t, "g-counter"), nil)
			p.init("n0", "n0", "n1")
			p.call("c1", "n0", map[string]any{"type": "add", "delta": 5}).wantType(t, "add_ok")
			p.expect("n0's state with its 5 sent to n1", func(m maelstrom.Message, b body) bool {
				return m.Dest == "n1" && b["type"] == "counter_state" && sumOf(b["inc"]) == 5
			})
			peer := map[string]any{"type": "counter_state", "inc": map[string]int{"n1/x": 4}, "dec": map[string]int{"n1/x": 1}}
			for range 2 {
				p.send("n1", "n0", peer)
			}
			p.send("n1", "n0", map[string]any{"type": "counter_state", "inc": map[string]int{"n1/x": 2}})
			if got := readCounter(t, p, "n0"); got != 8 {
				t.Errorf("5 of its own and n1's 4-1 (sent twice, then an older 2) read as %d, want 8", got)
			}
		})
	}
}

// readCounter reads the counter on node and returns its value.
func readCounter(t *testing.T, p *proc, node string) int64 {
	t.Helper()
	b := p.call("c2", node, map[string]any{"type": "read"})
	b.wantType(t, "read_ok")
	return intField(t, b, "value")
}

// sumOf adds up the numbers of a decoded JSON object (-1 when v is not
// an object of integers).
func sumOf(v any) int64 {
	m, ok := v.(map[string]any)
	if !ok {
		return -1
	}
	var sum int64
	for _, e := range m {
		n, ok := e.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return -1
		}
		sum += i
	}
	return sum
}
