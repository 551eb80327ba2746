package maelstrom

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"faultline/system/backend"
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
		return backend.Spec{Nodes: 3, Dir: dir, Options: opts}
	}
	cfg, err := config(spec(map[string]string{OptBin: exe, OptArgs: `["-x", "a b"]`, OptNodeDir: "true",
		OptInitTimeout: "3s", OptQueue: "16", OptMaxLine: "2048", OptStopGrace: "1s", "latency": "10"}), []string{"latency"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bin != exe || !slices.Equal(cfg.Args, []string{"-x", "a b"}) || !cfg.NodeDir || cfg.InitTimeout != 3*time.Second ||
		cfg.Queue != 16 || cfg.MaxLine != 2048 || cfg.StopGrace != time.Second || cfg.Nodes != 3 {
		t.Fatalf("config %+v", cfg)
	}
	cfg, err = config(spec(map[string]string{OptBin: exe, OptArgs: "--a  b"}), nil)
	if err != nil || !slices.Equal(cfg.Args, []string{"--a", "b"}) || cfg.NodeDir || cfg.InitTimeout != DefaultInitTimeout ||
		cfg.Queue != DefaultQueue || cfg.StopGrace != DefaultStopGrace {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	for name, opts := range map[string]map[string]string{
		"no bin":          {},
		"missing bin":     {OptBin: filepath.Join(dir, "nowhere")},
		"not executable":  {OptBin: plain},
		"not in PATH":     {OptBin: "faultline-no-such-program"},
		"unknown option":  {OptBin: exe, "latency": "10"},
		"bad args":        {OptBin: exe, OptArgs: `["unterminated`},
		"bad node-dir":    {OptBin: exe, OptNodeDir: "maybe"},
		"bad timeout":     {OptBin: exe, OptInitTimeout: "0s"},
		"bad grace":       {OptBin: exe, OptStopGrace: "forever"},
		"queue too small": {OptBin: exe, OptQueue: "0"},
		"line too short":  {OptBin: exe, OptMaxLine: "10"},
	} {
		if _, err := config(spec(opts), nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := config(backend.Spec{Nodes: 0, Dir: dir, Options: map[string]string{OptBin: exe}}, nil); err == nil {
		t.Error("0 nodes accepted")
	}
}

// TestBackendDeclares: the cluster Backend.Start returns has the powers
// and nodes the Backend declares.
func TestBackendDeclares(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(testNodeEnv, "good")
	b := Backend{Network: func(backend.Spec) (Network, error) { return newTestNet(), nil },
		NetworkOptions: []string{"latency"}, NewCaller: newTestCaller}
	spec := backend.Spec{Nodes: 2, Mode: backend.ModeProcess, Dir: t.TempDir(), Exec: []string{"unused"},
		Options: map[string]string{OptBin: exe, OptArgs: "-test.run=^$", "latency": "1"}}
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
	if _, err := (Backend{}).Start(context.Background(), spec); err == nil {
		t.Error("a Backend without a network started")
	}
}

// TestLinkSupport: the Backend declares its network's link support, and
// refuses link faults when it was not told what it is.
func TestLinkSupport(t *testing.T) {
	spec := backend.Spec{Nodes: 3}
	f := transport.LinkFaults{Drop: 0.5}
	if err := (Backend{}).LinkSupport(spec).SupportsLink(f); !errors.Is(err, transport.ErrFaultUnsupported) {
		t.Fatalf("undeclared support: %v", err)
	}
	if err := (Backend{Links: (*testFaults)(nil)}).LinkSupport(spec).SupportsLink(f); err != nil {
		t.Fatalf("declared support: %v", err)
	}
}
