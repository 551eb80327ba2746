package nodeproc

import (
	"flag"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	id := fs.Int("id", 0, "")
	if err := ParseArgs(fs, []string{"--id", "3"}); err != nil || *id != 3 {
		t.Fatalf("ParseArgs = %v, id %d", err, *id)
	}
	fs = flag.NewFlagSet("node", flag.ContinueOnError)
	fs.Int("id", 0, "")
	if err := ParseArgs(fs, []string{"--id", "3", "extra"}); err == nil {
		t.Fatal("positional argument accepted")
	}
	fs = flag.NewFlagSet("node", flag.ContinueOnError)
	if err := ParseArgs(fs, []string{"--nope"}); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

type inner struct {
	Dir   string
	Fsync bool
}

type argsConfig struct {
	inner
	ID        int      `arg:"id"`
	Peers     []string `arg:"peers"`
	Wait      time.Duration
	Big       int64
	Skipped   func() `arg:"-"`
	unexposed int    //lint:ignore U1000 an unexported field is not an argument
}

func TestArgsRoundTrip(t *testing.T) {
	for _, cfg := range []argsConfig{
		{},
		{inner: inner{Dir: "/tmp/a b", Fsync: true}, ID: 3, Peers: []string{"x:1", "y,2", ""}, Wait: 1500 * time.Millisecond, Big: -1 << 40},
	} {
		args := EncodeArgs(cfg)
		var got argsConfig
		if err := DecodeArgs(args, &got); err != nil {
			t.Fatalf("DecodeArgs(%q): %v", args, err)
		}
		if len(cfg.Peers) == 0 {
			cfg.Peers = nil
		}
		if got.inner != cfg.inner || got.ID != cfg.ID || !slices.Equal(got.Peers, cfg.Peers) || got.Wait != cfg.Wait || got.Big != cfg.Big {
			t.Errorf("round trip of %+v through %q gave %+v", cfg, args, got)
		}
	}
	want := []string{"--dir=d", "--fsync=false", "--id=1", "--peers=p", "--wait=2s", "--big=0"}
	if got := EncodeArgs(&argsConfig{inner: inner{Dir: "d"}, ID: 1, Peers: []string{"p"}, Wait: 2 * time.Second}); !slices.Equal(got, want) {
		t.Errorf("EncodeArgs = %q, want %q", got, want)
	}
}

func TestDecodeArgsDefaultsAndErrors(t *testing.T) {
	cfg := argsConfig{ID: 7, Peers: []string{"default"}}
	if err := DecodeArgs([]string{"--peers=a", "--peers=b"}, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ID != 7 || !slices.Equal(cfg.Peers, []string{"a", "b"}) {
		t.Fatalf("decoded %+v: want ID kept and the list replaced", cfg)
	}
	for _, args := range [][]string{{"--nope=1"}, {"--id=x"}, {"--wait=3"}, {"--id=1", "extra"}, {"--skipped=1"}} {
		if err := DecodeArgs(args, &argsConfig{}); err == nil || !strings.Contains(err.Error(), "node arguments") {
			t.Errorf("DecodeArgs(%q) = %v, want a node arguments error", args, err)
		}
	}
}

func TestArgsRejectUnsupportedTypes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("EncodeArgs accepted a float field")
		}
	}()
	EncodeArgs(struct{ F float64 }{})
}
