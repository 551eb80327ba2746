package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/maelstrom"
	"faultline/transport"
)

func TestConfigOptions(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := func(opts map[string]string) backend.Spec {
		return backend.Spec{Nodes: 3, Dir: dir, Seed: 7, Options: opts}
	}
	cfg, err := config(spec(map[string]string{OptBin: exe, OptArgs: `["-x", "a b"]`, OptNodeDir: "true",
		OptInitTimeout: "3s", OptQueue: "16", OptMaxLine: "2048", OptStopGrace: "1s", OptLatency: "2.5", OptJournalWindow: "1m"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bin != exe || !slices.Equal(cfg.Args, []string{"-x", "a b"}) || !cfg.NodeDir || cfg.InitTimeout != 3*time.Second ||
		cfg.Queue != 16 || cfg.MaxLine != 2048 || cfg.StopGrace != time.Second || cfg.Nodes != 3 ||
		cfg.Network.Latency != 2500*time.Microsecond || cfg.Network.JournalWindow != time.Minute || cfg.Network.Seed != 7 {
		t.Fatalf("config %+v", cfg)
	}
	cfg, err = config(spec(map[string]string{OptBin: exe, OptArgs: "--a  b"}))
	if err != nil || !slices.Equal(cfg.Args, []string{"--a", "b"}) || cfg.NodeDir || cfg.InitTimeout != DefaultInitTimeout ||
		cfg.Queue != DefaultQueue || cfg.StopGrace != DefaultStopGrace ||
		cfg.Network.Latency != 0 || cfg.Network.JournalWindow != DefaultJournalWindow {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	for v, want := range map[string]time.Duration{"10": 10 * time.Millisecond, "10ms": 10 * time.Millisecond, "0": 0, "1.5s": 1500 * time.Millisecond} {
		if cfg, err := config(spec(map[string]string{OptBin: exe, OptLatency: v})); err != nil || cfg.Network.Latency != want {
			t.Errorf("latency %q: %v, %v; want %v", v, cfg.Network.Latency, err, want)
		}
	}
	for _, v := range []string{"0", "0s"} {
		if cfg, err := config(spec(map[string]string{OptBin: exe, OptJournalWindow: v})); err != nil || cfg.Network.JournalWindow != 0 {
			t.Errorf("journal-window %q: %v, %v; want none", v, cfg.Network.JournalWindow, err)
		}
	}
	for name, opts := range map[string]map[string]string{
		"no bin":          {},
		"missing bin":     {OptBin: filepath.Join(dir, "nowhere")},
		"not executable":  {OptBin: plain},
		"not in PATH":     {OptBin: "faultline-no-such-program"},
		"unknown option":  {OptBin: exe, "latncy": "10"},
		"bad latency":     {OptBin: exe, OptLatency: "-1"},
		"latency NaN":     {OptBin: exe, OptLatency: "NaN"},
		"latency words":   {OptBin: exe, OptLatency: "soon"},
		"latency too big": {OptBin: exe, OptLatency: "1h"},
		"bad window":      {OptBin: exe, OptJournalWindow: "-1s"},
		"bad args":        {OptBin: exe, OptArgs: `["unterminated`},
		"bad node-dir":    {OptBin: exe, OptNodeDir: "maybe"},
		"bad timeout":     {OptBin: exe, OptInitTimeout: "0s"},
		"bad grace":       {OptBin: exe, OptStopGrace: "forever"},
		"queue too small": {OptBin: exe, OptQueue: "0"},
		"line too short":  {OptBin: exe, OptMaxLine: "10"},
		"bad lin-kv":      {OptBin: exe, OptLinKV: "etcd"},
		"lin-kv nodes 0":  {OptBin: exe, OptLinKV: LinKVRaftKV, OptLinKVNodes: "0"},
		"lin-kv nodes 10": {OptBin: exe, OptLinKV: LinKVRaftKV, OptLinKVNodes: "10"},
		"nodes, memory":   {OptBin: exe, OptLinKVNodes: "3"},
	} {
		if _, err := config(spec(opts)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, c := range []struct {
		opts  map[string]string
		kind  string
		nodes int
	}{
		{map[string]string{OptBin: exe}, LinKVMemory, 0},
		{map[string]string{OptBin: exe, OptLinKV: LinKVRaftKV}, LinKVRaftKV, 3},
		{map[string]string{OptBin: exe, OptLinKV: LinKVRaftKV, OptLinKVNodes: "5"}, LinKVRaftKV, 5},
	} {
		if cfg, err := config(spec(c.opts)); err != nil || cfg.LinKV != c.kind || cfg.LinKVNodes != c.nodes {
			t.Errorf("%v: lin-kv %q on %d nodes (%v), want %q on %d", c.opts, cfg.LinKV, cfg.LinKVNodes, err, c.kind, c.nodes)
		}
	}
	if _, err := config(backend.Spec{Nodes: 0, Dir: dir, Options: map[string]string{OptBin: exe}}); err == nil {
		t.Error("0 nodes accepted")
	}
}

// TestBackendDeclares: the zero Backend starts a cluster on the router,
// with the powers and nodes it declares, and its declared link support is
// its started network's.
func TestBackendDeclares(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(testNodeEnv, "good")
	var b Backend
	spec := backend.Spec{Nodes: 2, Mode: backend.ModeProcess, Dir: t.TempDir(), Exec: []string{"unused"}, Seed: 3,
		Options: map[string]string{OptBin: exe, OptArgs: "-test.run=^$"}}
	bc, err := b.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Stop(context.Background())
	c := bc.(*Cluster)
	if !slices.Equal(c.Nodes(), b.Nodes(spec)) {
		t.Errorf("nodes %v, declared %v", c.Nodes(), b.Nodes(spec))
	}
	for _, p := range b.Powers(spec) {
		var ok bool
		switch p {
		case backend.PowerKill:
			_, ok = bc.(backend.Killer)
		case backend.PowerPause:
			_, ok = bc.(backend.Pauser)
		case backend.PowerLinks:
			ok = c.Faults() != nil && len(c.Nodes()) >= 2
		}
		if !ok {
			t.Errorf("declared power %s missing", p)
		}
	}
	for _, f := range []transport.LinkFaults{{Drop: 0.5, Burst: 2}, {Duplicate: 0.1}, {Bandwidth: 1 << 20},
		{Delay: time.Millisecond, Jitter: time.Millisecond, Distribution: transport.DelayPareto}, {Conn: transport.ConnReset}} {
		declared := b.LinkSupport(spec).SupportsLink(f)
		if real := transport.Supports(c.Faults(), f); (declared == nil) != (real == nil) {
			t.Errorf("link fault %+v: declared %v, the network %v", f, declared, real)
		}
	}
	if err := b.LinkSupport(spec).SupportsLink(transport.LinkFaults{Conn: transport.ConnReset}); !errors.Is(err, transport.ErrFaultUnsupported) {
		t.Errorf("a connection fault declared supported: %v", err)
	}
	delete(spec.Options, OptBin)
	if _, err := b.Start(context.Background(), spec); err == nil || !strings.Contains(err.Error(), "option bin is required") {
		t.Errorf("a Backend without a node program: %v", err)
	}
}

// TestBackendLatency: the backend's option latency delays every message
// by at least that much (a request and its reply: twice), and the journal
// of its first seconds records them.
func TestBackendLatency(t *testing.T) {
	const latency = 40 * time.Millisecond
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(testNodeEnv, "good")
	bc, err := Backend{}.Start(context.Background(), backend.Spec{Nodes: 1, Dir: t.TempDir(), Seed: 1,
		Options: map[string]string{OptBin: exe, OptArgs: "-test.run=^$", OptLatency: "40", OptJournalWindow: "10m"}})
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() { c.Stop(context.Background()) })
	cl := client(t, c, 0)
	start := time.Now()
	call(t, cl, "", "echo", map[string]any{"echo": 1})
	if took := time.Since(start); took < 2*latency {
		t.Fatalf("an echo took %v, under twice the latency %v", took, latency)
	}
	// The router marks a delivery once the recipient took it: the reply
	// may reach the client first.
	waitStats(t, c, func(st maelstrom.NetStats) error {
		if st.All.Delivered != 2 {
			return fmt.Errorf("%d of 2 messages delivered", st.All.Delivered)
		}
		return nil
	})
	j := c.Network().Journal()
	if len(j) != 2 {
		t.Fatalf("journal %+v, want the echo and its reply", j)
	}
	for _, e := range j {
		if took := e.Delivered.Sub(e.Sent); took < latency {
			t.Errorf("%s %s -> %s delivered after %v", e.Type, e.Src, e.Dest, took)
		}
	}
}
