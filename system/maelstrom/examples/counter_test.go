package examples

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"faultline/system/maelstrom"
)

func TestCounterOneNode(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := im.node(t, "g-counter", nil, "n0", "n0")
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

// TestCounterMerge checks the node's side of the state gossip with the
// test as peer n1: the node sends its state, and merging the same state
// twice counts it once. Convergence among real nodes through the router
// is left to the integration tests.
func TestCounterMerge(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := im.node(t, "g-counter", nil, "n0", "n0", "n1")
		p.call("c1", "n0", map[string]any{"type": "add", "delta": 5}).wantType(t, "add_ok")
		p.expect("n0's state with its 5 sent to n1", func(m maelstrom.Message, b body) bool {
			return m.Dest == "n1" && b["type"] == "counter_state" && sumOf(b["inc"]) == 5
		})
		peer := map[string]any{"type": "counter_state", "inc": map[string]int{"n1/x": 4}, "dec": map[string]int{"n1/x": 1}}
		for range 2 {
			p.oneWay("n1", "n0", peer)
		}
		p.oneWay("n1", "n0", map[string]any{"type": "counter_state", "inc": map[string]int{"n1/x": 2}})
		if got := readCounter(t, p, "n0"); got != 8 {
			t.Errorf("5 of its own and n1's 4-1 (sent twice, then an older 2) read as %d, want 8", got)
		}
	})
}

// readCounter reads the counter on node and returns its value.
func readCounter(t *testing.T, p *proc, node string) int64 {
	t.Helper()
	b := p.call("c2", node, map[string]any{"type": "read"})
	b.wantType(t, "read_ok")
	return intField(t, b, "value")
}

// TestDurableCounterRestart: with a node directory, the durable counter
// journals each add before add_ok and a killed node comes back with its
// counts (a torn last line of the journal, from a kill mid-write, is
// ignored); without one it comes back at zero.
func TestDurableCounterRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	withDir := func(t *testing.T) []string {
		return append([]string{"env", "MAELSTROM_NODE_DIR=" + dir}, goNode(t, "durable-counter")...)
	}
	for _, c := range []struct {
		name         string
		argv         func(t *testing.T) []string
		afterRestart int64
	}{
		{"node dir", withDir, 3},
		{"memory only", func(t *testing.T) []string { return goNode(t, "durable-counter") }, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := start(t, c.argv(t), nil)
			p.init("n0", "n0")
			for _, d := range []int{5, -2} {
				p.call("c1", "n0", map[string]any{"type": "add", "delta": d}).wantType(t, "add_ok")
			}
			p.kill()
			if c.afterRestart != 0 {
				appendFile(t, filepath.Join(dir, "counter.log"), "7") // torn: no newline
			}
			p = start(t, c.argv(t), nil)
			p.init("n0", "n0")
			if got := readCounter(t, p, "n0"); got != c.afterRestart {
				t.Fatalf("after adds 5, -2 and a kill the counter reads %d, want %d", got, c.afterRestart)
			}
			if c.afterRestart == 0 {
				return
			}
			p.call("c1", "n0", map[string]any{"type": "add", "delta": 1}).wantType(t, "add_ok")
			if got, err := os.ReadFile(filepath.Join(dir, "counter.log")); err != nil || string(got) != "5\n-2\n1\n" {
				t.Errorf("journal %q (%v), want the three acknowledged adds, the torn line cut", got, err)
			}
		})
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(text)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}
