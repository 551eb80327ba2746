package maelstrom

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/maelstrom"
)

// testConfig is a Config of n test nodes in mode (testNode) on the
// router with its defaults (seed 1).
func testConfig(t testing.TB, mode string, n int) Config {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(testNodeEnv, mode)
	return Config{Dir: t.TempDir(), Nodes: n, Bin: exe, Args: []string{"-test.run=^$"},
		InitTimeout: 20 * time.Second, StopGrace: 5 * time.Second, Network: maelstrom.RouterConfig{Seed: 1}}
}

// startTest starts the cluster of cfg and stops it at the end of the test.
func startTest(t *testing.T, cfg Config) *Cluster {
	t.Helper()
	c, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

// client returns worker id's client as a *Client.
func client(t *testing.T, c *Cluster, id int) *Client {
	t.Helper()
	cl, err := c.Client(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return cl.(*Client)
}

// call invokes f at node with fields and decodes the reply into a map.
func call(t *testing.T, cl *Client, node, f string, fields any) map[string]any {
	t.Helper()
	var args []byte
	if fields != nil {
		args, _ = json.Marshal(fields)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	body, err := cl.Invoke(ctx, node, f, args)
	if err != nil {
		t.Fatalf("%s at %s: %v", f, node, err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s at %s: reply %s: %v", f, node, body, err)
	}
	if want := f + "_ok"; m["type"] != want {
		t.Fatalf("%s at %s: reply %s, want %s", f, node, body, want)
	}
	return m
}

var pidLine = regexp.MustCompile(`test node pid (\d+)`)

// loggedPids returns the pids the test nodes wrote to the logs in dir.
func loggedPids(t *testing.T, dir string) []int {
	t.Helper()
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, l := range logs {
		b, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pidLine.FindAllStringSubmatch(string(b), -1) {
			pid, _ := strconv.Atoi(m[1])
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitGone waits (bounded) until none of pids runs any more.
func waitGone(t *testing.T, pids ...int) {
	t.Helper()
	err := nodeproc.Poll(context.Background(), 10*time.Second, 2*time.Millisecond, func(context.Context) error {
		for _, pid := range pids {
			if nodeproc.Running(pid) {
				return fmt.Errorf("process %d still runs", pid)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wantEvent waits for the cluster's next event.
func wantEvent(t *testing.T, c *Cluster) backend.Event {
	t.Helper()
	select {
	case e := <-c.Events():
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20s")
	}
	return backend.Event{}
}

// contains fails the test unless s holds every one of subs.
func contains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q does not contain %q", what, s, sub)
		}
	}
}

// sink is an endpoint of the tests that keeps what it is delivered (up to
// a bound): the end of node-to-node chains, which no client call awaits.
type sink struct {
	id  string
	got chan maelstrom.Message
}

// newSink attaches a sink called id to the cluster's network.
func newSink(t *testing.T, c *Cluster, id string) *sink {
	t.Helper()
	s := &sink{id: id, got: make(chan maelstrom.Message, 64)}
	if err := c.Network().Attach(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *sink) ID() string { return s.id }

func (s *sink) Deliver(m maelstrom.Message) bool {
	select {
	case s.got <- m:
		return true
	default:
		return false
	}
}

// next waits (bounded) for the sink's next message.
func (s *sink) next(t *testing.T) maelstrom.Message {
	t.Helper()
	select {
	case m := <-s.got:
		return m
	case <-time.After(20 * time.Second):
		t.Fatalf("%s got no message within 20s", s.id)
	}
	return maelstrom.Message{}
}

// relay has node from send a note to node to, which passes it on to the
// sink (the test node's send, note and noted).
func (s *sink) relay(c *Cluster, from, to, text string) {
	body, _ := json.Marshal(map[string]string{"type": "send", "to": to, "text": text, "then": s.id})
	c.Network().Send(maelstrom.Message{Src: s.id, Dest: from, Body: body})
}

// waitStats waits (bounded) until the cluster's network statistics
// satisfy ok, which says what it still misses.
func waitStats(t *testing.T, c *Cluster, ok func(maelstrom.NetStats) error) maelstrom.NetStats {
	t.Helper()
	var st maelstrom.NetStats
	err := nodeproc.Poll(context.Background(), 20*time.Second, time.Millisecond, func(context.Context) error {
		st = c.Network().Stats()
		return ok(st)
	})
	if err != nil {
		t.Fatalf("network statistics %+v: %v", st, err)
	}
	return st
}
