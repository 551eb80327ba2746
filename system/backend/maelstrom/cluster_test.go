package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/maelstrom"
)

// TestEchoKillRestart: every node answers init and echo; a killed node
// takes no deliveries; Restart brings it back under the same id with a
// fresh init, in a new process.
func TestEchoKillRestart(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 3))
	if got := strings.Join(c.Nodes(), ","); got != "n0,n1,n2" {
		t.Fatalf("nodes %s", got)
	}
	cl := client(t, c, 4)
	if cl.ID() != "c5" || cl.node != "n1" {
		t.Fatalf("worker 4 got client %s of node %s, want c5 of n1", cl.ID(), cl.node)
	}
	for _, n := range c.Nodes() {
		if m := call(t, cl, n, "echo", map[string]any{"echo": "hi " + n}); m["echo"] != "hi "+n {
			t.Fatalf("echo from %s: %v", n, m)
		}
	}
	if m := call(t, cl, "", "echo", map[string]any{"echo": 7}); m["echo"] != 7.0 || cl.LastNode() != "n1" {
		t.Fatalf("echo from its own node: %v via %s", m, cl.LastNode())
	}
	ctx := context.Background()
	old := c.Pid("n1")
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	n1 := c.Node("n1")
	if n1.Deliver(maelstrom.Message{Src: "c5", Dest: "n1", Body: []byte(`{"type":"echo"}`)}) {
		t.Fatal("a killed node took a delivery")
	}
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatalf("killing a dead node: %v", err)
	}
	if err := c.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if c.Pid("n1") == old || c.Pid("n1") == 0 {
		t.Fatalf("restarted n1 has pid %d (was %d)", c.Pid("n1"), old)
	}
	call(t, cl, "n1", "echo", map[string]any{"echo": "back"})
	st := n1.Stats()
	if st.Starts != 2 || st.Inits != 2 || st.DroppedDown != 1 || st.Problems != 0 || st.Delivered < 4 {
		t.Fatalf("n1 stats %+v", st)
	}
	b, err := os.ReadFile(n1.cfg.Log)
	if err != nil || strings.Count(string(b), "init as n1") != 2 {
		t.Fatalf("n1's stderr log %q (%v) should show two inits", b, err)
	}
}

// TestNodeToNode: a message a node sends to another reaches it through
// the router, and a message to an id nobody has is passed on to the
// router (which drops and counts it), no problem of the node's.
func TestNodeToNode(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 2))
	cl := client(t, c, 0)
	s := newSink(t, c, "watch")
	s.relay(c, "n0", "n1", "psst")
	if m := s.next(t); m.Src != "n1" || !strings.Contains(string(m.Body), `"via":"n1"`) || !strings.Contains(string(m.Body), "psst") {
		t.Fatalf("got %+v", m)
	}
	call(t, cl, "n0", "emit", map[string]any{"lines": []string{`{"src":"n0","dest":"n9","body":{"type":"lost"}}`}})
	// n0 wrote the message to n9 before emit_ok: the router had it first.
	if st := c.Network().Stats(); st.ByType["lost"].Dropped.UnknownDest != 1 {
		t.Fatalf("the message to n9 was not dropped as to an unknown node: %+v", st.ByType["lost"])
	}
	if p := c.Node("n0").Problems(); len(p) != 0 {
		t.Fatalf("a message to an unknown id is no problem of the node: %q", p)
	}
}

// TestBadOutput: junk, malformed JSON, a body without type, a message
// under another node's src, each is an error naming the node and quoting
// the line's head; the node's valid messages still pass.
func TestBadOutput(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 1))
	cl := client(t, c, 0)
	lines := []string{
		"hello from stdout",
		`{"src":"n0","dest":"c1","body":{"type":`,
		`{"src":"n0","dest":"c1","body":{"msg_id":1}}`,
		`{"src":"n3","dest":"c1","body":{"type":"forged"}}`,
		`[1,2,3]`,
		"",
	}
	call(t, cl, "", "emit", map[string]any{"lines": lines})
	n0 := c.Node("n0")
	p := n0.Problems()
	if len(p) != 5 || n0.Stats().Problems != 5 {
		t.Fatalf("problems %q, want 5", p)
	}
	for i, want := range []string{"hello from stdout", `{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"type\":`, "msg_id", `src "n3"`, "[1,2,3]"} {
		contains(t, "problem", p[i], "node n0", want)
	}
	call(t, cl, "", "echo", map[string]any{"echo": "still here"})
}

// TestHugeLine: a 10 MB line is reported (quoting its head) and skipped,
// without holding it in memory, and the node's next message passes.
func TestHugeLine(t *testing.T) {
	cfg := testConfig(t, "good", 1)
	cfg.MaxLine = 64 << 10
	c := startTest(t, cfg)
	cl := client(t, c, 0)
	call(t, cl, "", "echo", nil) // warm up
	var before, after runtimeMem
	before.read()
	call(t, cl, "", "big", map[string]any{"size": 10 << 20})
	after.read()
	if grew := after.total - before.total; grew > 4<<20 {
		t.Errorf("reading a 10 MB line allocated %d bytes", grew)
	}
	p := c.Node("n0").Problems()
	if len(p) != 1 {
		t.Fatalf("problems %q", p)
	}
	contains(t, "problem", p[0], "node n0", "too long", "xxxxxxxx")
	if len(p[0]) > 1024 {
		t.Errorf("problem quotes %d bytes", len(p[0]))
	}
}

// TestInitFailures: a node that never answers init, exits at start, or
// answers something else fails Start with an error naming it and what it
// did, and leaves no process behind.
func TestInitFailures(t *testing.T) {
	for _, tc := range []struct {
		mode    string
		timeout time.Duration
		want    []string
	}{
		// How much of a silent node's output comes before the deadline
		// depends on the machine's load: only the deadline is certain.
		{"silent", 500 * time.Millisecond, []string{"node n0 did not answer init within 500ms", "its stderr (", "n0.log"}},
		{"exit", 20 * time.Second, []string{"node n0 exited before it answered init", "exit status 3", "cannot start"}},
		{"wrong", 20 * time.Second, []string{"node n0 answered init with \"echo_ok\"", "in_reply_to", "test node pid"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cfg := testConfig(t, tc.mode, 1)
			cfg.InitTimeout = tc.timeout
			_, err := Start(context.Background(), cfg)
			if err == nil {
				t.Fatal("Start succeeded")
			}
			contains(t, "error", err.Error(), tc.want...)
			waitGone(t, loggedPids(t, cfg.Dir)...)
		})
	}
}

// TestStopKillsEverything: Stop ends a node that ignores SIGTERM (after
// the grace) and the child it forked into its group.
func TestStopKillsEverything(t *testing.T) {
	cfg := testConfig(t, "stubborn", 2)
	cfg.StopGrace = 100 * time.Millisecond
	c := startTest(t, cfg)
	cl := client(t, c, 0)
	child := int(call(t, cl, "n0", "fork", nil)["pid"].(float64))
	pids := append(loggedPids(t, cfg.Dir), child)
	if len(pids) != 3 {
		t.Fatalf("pids %v", pids)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pids...)
	if err := c.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := c.Client(context.Background(), 1); err == nil {
		t.Fatal("a stopped cluster gave a client")
	}
}

// TestExitByItself: a node process that exits on its own is an event,
// counts as killed (its forked child dies with it), and Restart brings it
// back.
func TestExitByItself(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 1))
	cl := client(t, c, 0)
	child := int(call(t, cl, "", "fork", nil)["pid"].(float64))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go cl.Invoke(ctx, "", "exit", []byte(`{"code":5}`))
	e := wantEvent(t, c)
	if e.Kind != "exit" || e.Node != "n0" {
		t.Fatalf("event %+v", e)
	}
	contains(t, "event detail", e.Detail, "exit status 5")
	waitGone(t, child)
	if err := c.Restart(context.Background(), "n0"); err != nil {
		t.Fatal(err)
	}
	call(t, client(t, c, 1), "", "echo", nil)
	if st := c.Node("n0").Stats(); st.Exits != 1 || st.Inits != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestNodeDir: with NodeDir a node finds its own directory in
// MAELSTROM_NODE_DIR, and what it keeps there survives a kill.
func TestNodeDir(t *testing.T) {
	cfg := testConfig(t, "good", 1)
	cfg.NodeDir = true
	c := startTest(t, cfg)
	cl := client(t, c, 0)
	dir, _ := filepath.Abs(filepath.Join(cfg.Dir, "n0.data"))
	if got := call(t, cl, "", "info", nil)["dir"]; got != dir {
		t.Fatalf("node dir %v, want %s", got, dir)
	}
	if v := call(t, cl, "", "bump", nil)["value"]; v != 1.0 {
		t.Fatalf("bump = %v", v)
	}
	ctx := context.Background()
	if err := c.Kill(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if v := call(t, cl, "", "bump", nil)["value"]; v != 2.0 {
		t.Fatalf("bump after restart = %v, want 2", v)
	}
}

// TestPauseSlowNode: a paused node takes deliveries until its queue is
// full, then they are dropped and counted, never blocking; resumed, it
// answers again.
func TestPauseSlowNode(t *testing.T) {
	cfg := testConfig(t, "good", 1)
	cfg.Queue = 8
	c := startTest(t, cfg)
	cl := client(t, c, 0)
	ctx := context.Background()
	if err := c.Pause(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if st, _ := nodeproc.State(c.Pid("n0")); st != 'T' && st != 't' {
		t.Fatalf("paused node in state %c", st)
	}
	n0 := c.Node("n0")
	body := []byte(`{"type":"note","text":"` + strings.Repeat("z", 1<<10) + `","then":"c9"}`)
	refused := 0
	for range 2000 {
		if !n0.Deliver(maelstrom.Message{Src: "c9", Dest: "n0", Body: body}) {
			refused++
		}
	}
	if st := n0.Stats(); refused == 0 || st.DroppedFull != int64(refused) {
		t.Fatalf("refused %d, stats %+v", refused, st)
	}
	if err := c.Resume(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if err := nodeproc.Poll(ctx, 20*time.Second, time.Millisecond, func(context.Context) error {
		if st := n0.Stats(); st.Written != st.Delivered {
			return fmt.Errorf("%d of %d delivered messages written", st.Written, st.Delivered)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	call(t, cl, "", "echo", map[string]any{"echo": "awake"})
}

// TestClientErrors: definite error codes wrap backend.ErrDefinite,
// indefinite ones do not; KV ops map to lin-kv's read and write (which
// the test node passes on to the lin-kv service).
func TestClientErrors(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 1))
	cl := client(t, c, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := cl.Invoke(ctx, "", "nonsense", nil)
	var re *maelstrom.RPCError
	if !errors.Is(err, backend.ErrDefinite) || !errors.As(err, &re) || re.Code != maelstrom.CodeNotSupported {
		t.Fatalf("not-supported: %v", err)
	}
	if _, err = cl.Invoke(ctx, "", "bump", nil); errors.Is(err, backend.ErrDefinite) || !errors.As(err, &re) || re.Code != maelstrom.CodeCrash {
		t.Fatalf("crash: %v", err)
	}
	if v, err := cl.Get(ctx, "1"); err != nil || v != "" {
		t.Fatalf("Get of a missing key = %q, %v", v, err)
	}
	if err := cl.Put(ctx, "1", "hello"); err != nil {
		t.Fatal(err)
	}
	if v, err := cl.Get(ctx, "1"); err != nil || v != `"hello"` {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := cl.Append(ctx, "1", "x"); !errors.Is(err, backend.ErrDefinite) || !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("Append: %v", err)
	}
}

// TestRestartFailsInit: a restarted node that fails its fresh init makes
// Restart fail with why, and stays down until a Restart that succeeds.
func TestRestartFailsInit(t *testing.T) {
	c := startTest(t, testConfig(t, "good", 2))
	ctx := context.Background()
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(testNodeEnv, "wrong")
	err := c.Restart(ctx, "n1")
	if err == nil {
		t.Fatal("Restart of a node that answers init wrongly succeeded")
	}
	contains(t, "error", err.Error(), `node n1 answered init with "echo_ok"`)
	if pid := c.Pid("n1"); pid != 0 {
		t.Fatalf("n1 runs as %d after a failed restart", pid)
	}
	t.Setenv(testNodeEnv, "good")
	if err := c.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	call(t, client(t, c, 1), "n1", "echo", nil)
}
