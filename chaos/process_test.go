package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/raftkv"
	"faultline/system/kvraft"
	"faultline/transport/tcp"
)

// nodeMarker, found in the test binary's arguments, makes it run as a
// raftkv node: the process-mode tests start real node processes by
// re-executing themselves.
const nodeMarker = "chaos-test-raftkv-node"

func TestMain(m *testing.M) {
	if i := slices.Index(os.Args, nodeMarker); i >= 0 {
		if err := raftkv.RunNode(context.Background(), os.Args[i+1:]); err != nil {
			fmt.Fprintln(os.Stderr, "node:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// children lists the pids of this process's children.
func children(t *testing.T) []int {
	t.Helper()
	me := os.Getpid()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue // gone meanwhile
		}
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		f := strings.Fields(rest) // state, ppid, ...
		if len(f) > 1 && f[1] == strconv.Itoa(me) && f[0] != "Z" {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(s)))
			out = append(out, pid)
		}
	}
	return out
}

// status asks the node at addr for its Raft state within 300ms,
// authenticated with the cluster's secret.
func status(addr string, secret []byte) (kvraft.StatusReply, error) {
	c := tcp.Dial(addr, tcp.Config{Secret: secret})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var r kvraft.StatusReply
	err := c.CallContext(ctx, "KVServer.Status", &kvraft.StatusArgs{}, &r)
	return r, err
}

func TestProcessKillAndPause(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	before := len(children(t))
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	bc, err := raftkv.Backend{}.Start(ctx, backend.Spec{Nodes: 3, Mode: backend.ModeProcess, Dir: dir,
		Fsync: true, Exec: []string{exe, nodeMarker}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := tcp.ReadSecretFile(filepath.Join(dir, tcp.SecretFile))
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*raftkv.Cluster)
	stopped := false
	stopCluster := func() {
		if !stopped {
			stopped = true
			if err := c.Stop(ctx); err != nil {
				t.Errorf("stop: %v", err)
			}
		}
	}
	t.Cleanup(stopCluster)
	addr := map[string]string{}
	for i, n := range c.Nodes() {
		addr[n] = c.Addrs()[i]
	}
	if got := len(children(t)) - before; got != 3 {
		t.Fatalf("%d node processes, want 3", got)
	}
	leader := func(not string) string {
		var l string
		waitFor(t, "a leader other than "+not, func() bool {
			l, _ = c.Leader(ctx)
			return l != "" && l != not
		})
		return l
	}
	cl, err := c.Client(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 5 {
		put(t, cl, fmt.Sprint("k", i), fmt.Sprint("v", i))
	}

	// Kill the leader: its process is gone, another node takes over, and
	// on restart it recovers the log from its data directory.
	leader("")
	n := nemesisFor(t, "- {fault: kill, target: leader, at: 0s, for: 1h}", 0)
	if err := n.Setup(ctx, c); err != nil {
		t.Fatal(err)
	}
	r := &rec{}
	stop := start(t, n, r)
	r.await(t, "kill")
	// The leader when the nemesis looked (it may have changed since the
	// test looked, so take the event's word for it).
	ev, _ := r.find("kill")
	if len(ev.nodes) != 1 {
		t.Fatalf("kill event %+v, want one node", ev)
	}
	old := ev.nodes[0]
	if got := len(children(t)) - before; got != 2 {
		t.Errorf("%d node processes during the kill, want 2", got)
	}
	if _, err := status(addr[old], secret); err == nil {
		t.Errorf("killed node %s answered", old)
	}
	leader(old)
	put(t, cl, "k5", "v5")
	stop()
	if got := len(children(t)) - before; got != 3 {
		t.Errorf("%d node processes after the restart, want 3", got)
	}
	waitFor(t, "the restarted node to apply the log", func() bool {
		s, err := status(addr[old], secret)
		return err == nil && s.Applied >= 6
	})

	// Pause the leader: it stops answering, another takes over; resumed,
	// it answers again.
	leader("")
	n = nemesisFor(t, "- {fault: pause, target: leader, at: 0s, for: 1h}", 0)
	if err := n.Setup(ctx, c); err != nil {
		t.Fatal(err)
	}
	r = &rec{}
	stop = start(t, n, r)
	r.await(t, "pause")
	if ev, _ = r.find("pause"); len(ev.nodes) != 1 {
		t.Fatalf("pause event %+v, want one node", ev)
	}
	old = ev.nodes[0]
	// SIGSTOP lands as soon as the node's threads are next scheduled:
	// it stops answering then, and stays silent.
	waitFor(t, "the paused node to stop answering", func() bool { _, err := status(addr[old], secret); return err != nil })
	if _, err := status(addr[old], secret); err == nil {
		t.Errorf("paused node %s answered", old)
	}
	leader(old)
	put(t, cl, "k6", "v6")
	stop()
	waitFor(t, "the resumed node to answer", func() bool { _, err := status(addr[old], secret); return err == nil })
	for i := range 7 {
		if v := get(t, cl, fmt.Sprint("k", i)); v != fmt.Sprint("v", i) {
			t.Errorf("k%d = %q, want v%d", i, v, i)
		}
	}

	// Nothing is left behind.
	cl.Close()
	stopCluster()
	waitFor(t, "node processes to exit", func() bool { return len(children(t)) == before })
}
