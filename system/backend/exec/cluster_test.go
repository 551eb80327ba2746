package exec

import (
	"context"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/transport"
)

// needProgram skips a test without prog on PATH, except in CI (CI=true),
// whose .ci/run installs the Debian servers: there it fails.
func needProgram(t *testing.T, prog string) {
	t.Helper()
	if _, err := osexec.LookPath(prog); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not on PATH, and CI must run this test", prog)
		}
		t.Skipf("%s is not on PATH", prog)
	}
}

// startDesc writes description text and starts a cluster of it.
func startDesc(t *testing.T, text string, nodes int) (backend.Cluster, error) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := backend.Spec{Nodes: nodes, Mode: backend.ModeProcess, Dir: filepath.Join(dir, "c"), Seed: 1,
		Options: map[string]string{OptCluster: file}}
	if err := os.Mkdir(spec.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := (Backend{}).Check(spec); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Backend{}.Start(ctx, spec)
	if err == nil {
		t.Cleanup(func() { c.Stop(context.Background()) })
	}
	return c, err
}

// marked lists the live processes whose environment holds MARK=mark.
func marked(mark string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !slices.Contains(strings.Split(string(b), "\x00"), "MARK="+mark) {
			continue
		}
		if pid, err := strconv.Atoi(e.Name()); err == nil && processRuns(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func processRuns(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(b), ") Z ")
}

// TestNodeFailsStart: a node that exits before it is ready, or is never
// ready, fails Start with the end of its log, and nothing is left running.
func TestNodeFailsStart(t *testing.T) {
	for _, tc := range []struct{ name, command, ready, want string }{
		{"exits", `[sh, -c, "echo the disk is on fire >&2; exit 3"]`, "{tcp: client, within: 20s}",
			"node n1 (role a) exited before it was ready (exit status 3); its log"},
		{"never ready", `[sh, -c, "echo still warming up; exec sleep 600"]`, "{tcp: client, within: 1s}",
			"node n0 (role a) not ready after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mark := t.Name() + strconv.FormatInt(time.Now().UnixNano(), 36)
			desc := "protocol: {name: resp}\nroles:\n  - name: a\n    count: 2\n    env: {MARK: " + mark + "}\n    command: " + tc.command + "\n    ready: " + tc.ready + "\n"
			_, err := startDesc(t, desc, 2)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("start: %v, want %q", err, tc.want)
			}
			if tail := strings.SplitN(tc.command, "echo ", 2)[1]; !strings.Contains(err.Error(), strings.Fields(tail)[0]+" "+strings.Fields(tail)[1]) {
				t.Fatalf("the error does not quote the node's log: %v", err)
			}
			if left := marked(mark); len(left) > 0 {
				t.Fatalf("processes left after a failed start: %v", left)
			}
		})
	}
}

const redisTest = `protocol: {name: resp, read-from: any, timeout: 1s}
roles:
  - name: redis
    count: 3
    peer-port: client
    env: {MARK: %s}
    command: [redis-server, "{{.DataDir}}/redis.conf"]
    files:
      redis.conf: |
        port {{.ClientPort}}
        bind {{.Host}}
        dir {{.DataDir}}
        save ""
        {{if .Index}}replicaof {{(index .Nodes 0).Host}} {{(index .Nodes 0).Port}}{{end}}
`

// TestRedisPowers: replicas follow the primary through the proxies, so a
// blocked link stops replication to one replica only until it heals;
// kill, restart, pause and stop act on the real processes.
func TestRedisPowers(t *testing.T) {
	needProgram(t, "redis-server")
	mark := "redis" + strconv.FormatInt(time.Now().UnixNano(), 36)
	c, err := startDesc(t, strings.Replace(redisTest, "%s", mark, 1), 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl := make([]backend.Client, 3)
	for i := range cl {
		if cl[i], err = c.Client(ctx, i); err != nil { // client i reads from node i
			t.Fatal(err)
		}
	}
	see := func(i int, want string) {
		t.Helper()
		for ctx.Err() == nil {
			if v, err := cl[i].Get(ctx, "k"); err == nil && v == want {
				return
			}
		}
		t.Fatalf("n%d never read %q", i, want)
	}
	if err := cl[0].Put(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	see(1, "v1")
	see(2, "v1")
	links := c.(interface{ Faults() transport.LinkFaulter }).Faults()
	cut := transport.LinkFaults{Blocked: true}
	if err := links.SetLink("n1", "n0", cut); err != nil {
		t.Fatal(err)
	}
	if err := links.SetLink("n0", "n1", cut); err != nil {
		t.Fatal(err)
	}
	if err := cl[0].Put(ctx, "k", "v2"); err != nil {
		t.Fatal(err)
	}
	see(2, "v2") // replicated to n2, whose link is healthy ...
	if v, err := cl[1].Get(ctx, "k"); err != nil || v != "v1" {
		t.Fatalf("n1 behind a blocked link read %q, %v; want the stale v1", v, err)
	}
	links.SetLink("n1", "n0", transport.LinkFaults{})
	links.SetLink("n0", "n1", transport.LinkFaults{})
	see(1, "v2") // ... and to n1 once its link heals

	k := c.(backend.Killer)
	pid := c.(interface{ Pid(string) int }).Pid("n2")
	if err := k.Kill(ctx, "n2"); err != nil || processRuns(pid) {
		t.Fatalf("kill n2: %v, process %d runs: %v", err, pid, processRuns(pid))
	}
	if err := k.Restart(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	see(2, "v2") // a restarted replica resyncs from the primary
	p := c.(backend.Pauser)
	if err := p.Pause(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	pctx, pcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, perr := cl[1].Get(pctx, "k")
	pcancel()
	if perr == nil {
		t.Fatal("a paused node answered")
	}
	if err := p.Resume(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	see(1, "v2")
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if left := marked(mark); len(left) > 0 {
		t.Fatalf("processes left after Stop: %v", left)
	}
}

// TestMaelstromLinKV: a maelstrom-lin-kv description runs our example
// lin-kv node on the maelstrom backend's cluster, with kill and the
// router's link table; a command that names the node is refused.
func TestMaelstromLinKV(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "lin-kv")
	if out, err := osexec.Command("go", "build", "-o", bin, "faultline/system/maelstrom/examples/go/lin-kv").CombinedOutput(); err != nil {
		t.Fatalf("build lin-kv: %v\n%s", err, out)
	}
	if _, err := startDesc(t, "protocol: {name: maelstrom-lin-kv}\nroles: [{name: n, count: 3, command: ["+bin+", '{{.ID}}']}]\n", 3); err == nil ||
		!strings.Contains(err.Error(), "the command must be the same for every node") {
		t.Fatalf("a per-node command: %v", err)
	}
	c, err := startDesc(t, "protocol: {name: maelstrom-lin-kv}\nroles: [{name: n, count: 3, command: ["+bin+"]}]\n", 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := c.Client(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Put(ctx, "k", "17"); err != nil { // lin-kv values are JSON texts
		t.Fatal(err)
	}
	if v, err := cl.Get(ctx, "k"); err != nil || v != "17" {
		t.Fatalf("get %q, %v", v, err)
	}
	if err := c.(backend.Killer).Kill(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	if err := c.(backend.Killer).Restart(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	if c.(interface{ Faults() transport.LinkFaulter }).Faults() == nil {
		t.Fatal("no link table")
	}
}
