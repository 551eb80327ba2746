package examples

import (
	"testing"

	"faultline/system/maelstrom"
)

func TestEcho(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := start(t, im.cmd(t, "echo"), nil)
		early := p.call("c1", "n0", map[string]any{"type": "echo", "echo": 1})
		early.wantError(t, maelstrom.CodeTemporarilyUnavailable)
		p.init("n0", "n0", "n1")
		for _, payload := range []string{`"hello"`, `{"a":[1,2,{"b":null}]}`, `3.25`, `[]`} {
			b := p.call("c1", "n0", map[string]any{"type": "echo", "echo": rawJSON(payload)})
			b.wantType(t, "echo_ok")
			if got := jsonOf(b["echo"]); got != canon(payload) {
				t.Errorf("echo of %s came back as %s", payload, got)
			}
		}
		p.call("c2", "n0", map[string]any{"type": "no-such-op"}).wantError(t, maelstrom.CodeNotSupported)
	})
}

func TestUniqueIDs(t *testing.T) {
	const per = 300
	eachImpl(t, func(t *testing.T, im impl) {
		seen := map[string]string{}
		// n0 twice: a restarted node (a new process under the same
		// id) must not repeat the ids of its previous life.
		for i, id := range []string{"n0", "n1", "n0"} {
			p := im.node(t, "unique-ids", nil, id, "n0", "n1")
			for range per {
				b := p.call("c1", id, map[string]any{"type": "generate"})
				b.wantType(t, "generate_ok")
				got := jsonOf(b["id"])
				if b["id"] == nil {
					t.Fatalf("generate_ok without id: %v", b)
				}
				if prev, dup := seen[got]; dup {
					t.Fatalf("id %s from process %d (%s) was already given by %s", got, i, id, prev)
				}
				seen[got] = id
			}
		}
	})
}
