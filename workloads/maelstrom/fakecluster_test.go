package maelstrom

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"faultline/system/backend"
)

// fakeCluster is an in-memory Maelstrom cluster for end-to-end tests of
// the workloads: one shared state that every node serves, so it is
// linearizable, unless broken, when node n1 misbehaves as the issue's
// broken nodes do.
type fakeCluster struct {
	workload string
	broken   bool
	topology map[string][]string
	set      []json.RawMessage
	counter  int64
	kv       map[string]json.RawMessage
	stale    map[string]json.RawMessage // n1's lagging copy of kv when broken
	writes   int
	logs     map[string]map[int64]json.RawMessage
	next     map[string]int64
	commits  map[string]int64
	ids      int
	txnState map[string][]json.RawMessage
}

func newFakeCluster(workload string, broken bool) *fakeCluster {
	return &fakeCluster{workload: workload, broken: broken, kv: map[string]json.RawMessage{}, stale: map[string]json.RawMessage{},
		logs: map[string]map[int64]json.RawMessage{}, next: map[string]int64{}, commits: map[string]int64{}, txnState: map[string][]json.RawMessage{}}
}

// as returns the cluster as seen by a client whose own node is own.
func (c *fakeCluster) as(own string) backend.Invoker { return clientView{c, own} }

type clientView struct {
	c   *fakeCluster
	own string
}

func (v clientView) Invoke(ctx context.Context, node, f string, args []byte) ([]byte, error) {
	if node == "" {
		node = v.own
	}
	var in map[string]json.RawMessage
	if args != nil {
		if err := json.Unmarshal(args, &in); err != nil {
			return nil, fmt.Errorf("%w: malformed request", backend.ErrDefinite)
		}
	}
	out, err := v.c.serve(node, f, in)
	if err != nil {
		return nil, err
	}
	out["type"] = f + "_ok"
	return json.Marshal(out)
}

func definiteCode(code int) error { return fmt.Errorf("%w: error %d", backend.ErrDefinite, code) }

func (c *fakeCluster) serve(node, f string, in map[string]json.RawMessage) (map[string]any, error) {
	n1 := c.broken && node == "n1"
	switch f {
	case "topology":
		return map[string]any{}, json.Unmarshal(in["topology"], &c.topology)
	case "echo":
		return map[string]any{"echo": in["echo"]}, nil
	case "generate":
		c.ids++
		if n1 {
			return map[string]any{"id": c.ids % 4}, nil // restarts its counter
		}
		return map[string]any{"id": fmt.Sprintf("id-%d", c.ids)}, nil
	case "broadcast":
		if !n1 || len(c.set)%3 != 0 { // n1 forgets every third value it takes
			c.set = append(c.set, in["message"])
		}
		return map[string]any{}, nil
	case "add":
		if c.workload == "g-set" {
			c.set = append(c.set, in["element"])
			return map[string]any{}, nil
		}
		var d int64
		_ = json.Unmarshal(in["delta"], &d)
		c.counter += d
		if n1 && d == 3 {
			c.counter += d // counts a retried add twice
		}
		return map[string]any{}, nil
	case "read":
		switch c.workload {
		case "broadcast":
			return map[string]any{"messages": c.set}, nil
		case "g-set":
			return map[string]any{"value": c.set}, nil
		case "lin-kv":
			kv := c.kv
			if n1 {
				kv = c.stale
			}
			v, ok := kv[string(in["key"])]
			if !ok {
				return nil, definiteCode(20)
			}
			return map[string]any{"value": v}, nil
		}
		return map[string]any{"value": c.counter}, nil
	case "write":
		c.kv[string(in["key"])] = in["value"]
		c.writes++
		if c.writes%25 == 0 {
			c.stale = maps.Clone(c.kv)
		}
		return map[string]any{}, nil
	case "cas":
		v, ok := c.kv[string(in["key"])]
		switch {
		case !ok:
			return nil, definiteCode(20)
		case string(v) != string(in["from"]):
			return nil, definiteCode(22)
		}
		c.kv[string(in["key"])] = in["to"]
		return map[string]any{}, nil
	}
	return c.serveKafkaOrTxn(n1, f, in)
}

func (c *fakeCluster) serveKafkaOrTxn(n1 bool, f string, in map[string]json.RawMessage) (map[string]any, error) {
	switch f {
	case "send":
		var k string
		_ = json.Unmarshal(in["key"], &k)
		if c.logs[k] == nil {
			c.logs[k] = map[int64]json.RawMessage{}
		}
		o := c.next[k]
		if n1 && o > 0 {
			o-- // reuses the last offset
		} else {
			c.next[k]++
		}
		c.logs[k][o] = in["msg"]
		return map[string]any{"offset": o}, nil
	case "poll":
		var req map[string]int64
		_ = json.Unmarshal(in["offsets"], &req)
		msgs := map[string][][2]any{}
		for k, from := range req {
			for o := from; o < c.next[k] && len(msgs[k]) < 5; o++ {
				if m, ok := c.logs[k][o]; ok {
					msgs[k] = append(msgs[k], [2]any{o, m})
				}
			}
		}
		return map[string]any{"msgs": msgs}, nil
	case "commit_offsets":
		var req map[string]int64
		_ = json.Unmarshal(in["offsets"], &req)
		for k, o := range req {
			c.commits[k] = max(c.commits[k], o)
		}
		return map[string]any{}, nil
	case "list_committed_offsets":
		var keys []string
		_ = json.Unmarshal(in["keys"], &keys)
		out := map[string]int64{}
		for _, k := range keys {
			if o, ok := c.commits[k]; ok {
				out[k] = o
			}
		}
		return map[string]any{"offsets": out}, nil
	case "txn":
		var txn [][3]json.RawMessage
		_ = json.Unmarshal(in["txn"], &txn)
		for i, m := range txn {
			k := string(m[1])
			switch string(m[0]) {
			case `"r"`:
				vals := c.txnState[k]
				if c.workload == "txn-rw-register" && len(vals) > 0 {
					vals = vals[len(vals)-1:]
					b, _ := json.Marshal(vals[0])
					txn[i][2] = b
					continue
				}
				b, _ := json.Marshal(vals)
				txn[i][2] = b
			default:
				c.txnState[k] = append(c.txnState[k], m[2])
			}
		}
		return map[string]any{"txn": txn}, nil
	}
	return nil, definiteCode(10)
}
