package examples

import (
	"testing"

	"faultline/system/maelstrom"
)

// TestLinKVLeader plays the lin-kv service for the leader n0 with
// scripted replies: each client op must reach the service as it was
// asked, and the service's answer, errors included, must reach the
// client.
func TestLinKVLeader(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := im.node(t, "lin-kv", nil, "n0", "n0", "n1")
		steps := []struct {
			op      map[string]any
			service map[string]any // the service's answer
			want    string         // reply type to the client
			wantKey string         // field of the reply to compare, with value
			wantVal string
		}{
			{map[string]any{"type": "read", "key": 1}, map[string]any{"type": "read_ok", "value": 5}, "read_ok", "value", "5"},
			{map[string]any{"type": "write", "key": 1, "value": 6}, map[string]any{"type": "write_ok"}, "write_ok", "", ""},
			{map[string]any{"type": "cas", "key": 1, "from": 6, "to": 7}, map[string]any{"type": "cas_ok"}, "cas_ok", "", ""},
			{map[string]any{"type": "cas", "key": 1, "from": 1, "to": 2},
				map[string]any{"type": "error", "code": 22, "text": "current value is 7"}, "error", "code", "22"},
			{map[string]any{"type": "read", "key": 9},
				map[string]any{"type": "error", "code": 20, "text": "no key"}, "error", "code", "20"},
		}
		for _, s := range steps {
			id := p.send("c1", "n0", s.op)
			m, b := p.expect("the "+s.op["type"].(string)+" at lin-kv", func(m maelstrom.Message, b body) bool {
				return m.Dest == "lin-kv"
			})
			for k, v := range s.op {
				if jsonOf(b[k]) != jsonOf(v) {
					t.Errorf("%v reached lin-kv as %v: field %s differs", s.op, b, k)
				}
			}
			p.reply(m, b, s.service)
			_, got := p.expect("the reply to c1", func(m maelstrom.Message, b body) bool {
				return m.Dest == "c1" && b.inReplyTo() == id
			})
			got.wantType(t, s.want)
			if s.wantKey != "" && jsonOf(got[s.wantKey]) != s.wantVal {
				t.Errorf("%v answered %v, want %s %s", s.op, got, s.wantKey, s.wantVal)
			}
		}
	})
}

// TestLinKVFollower plays the leader n0 for the follower n1: a client op
// is forwarded to n0 and its answer relayed; with no answer from n0 the
// client gets the indefinite timeout error. Leader and follower together
// with the real service are left to the integration tests.
func TestLinKVFollower(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		p := im.node(t, "lin-kv", nil, "n1", "n0", "n1")
		toLeader := func(m maelstrom.Message, b body) bool { return m.Dest == "n0" && b["type"] == "read" }
		id := p.send("c1", "n1", map[string]any{"type": "read", "key": 3})
		m, b := p.expect("the read forwarded to n0", toLeader)
		if jsonOf(b["key"]) != "3" {
			t.Errorf("forwarded read %v, want key 3", b)
		}
		p.reply(m, b, map[string]any{"type": "read_ok", "value": 4})
		_, got := p.expect("the reply to c1", func(m maelstrom.Message, b body) bool {
			return m.Dest == "c1" && b.inReplyTo() == id
		})
		got.wantType(t, "read_ok")
		if jsonOf(got["value"]) != "4" {
			t.Errorf("relayed %v, want value 4", got)
		}
		id = p.send("c1", "n1", map[string]any{"type": "read", "key": 3})
		p.expect("the second read forwarded to n0", toLeader) // never answered
		_, got = p.expect("the timeout to c1", func(m maelstrom.Message, b body) bool {
			return m.Dest == "c1" && b.inReplyTo() == id
		})
		got.wantError(t, maelstrom.CodeTimeout)
	})
}
