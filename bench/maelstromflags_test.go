package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMaelstromFlags(t *testing.T) {
	o, err := parseMaelstromFlags(strings.Fields(
		"-w broadcast --bin ./node --node-count 3 --time-limit 20 --rate 100 --concurrency 2n --latency 5 "+
			"--nemesis partition,kill --nemesis-interval 3 --topology tree3 -- --verbose x"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.workload != "broadcast" || o.bin != "./node" || o.nodeCount != 3 || o.timeLimit != 20*time.Second ||
		o.rate != 100 || o.concurrency != 6 || o.latency != 5*time.Millisecond ||
		!slices.Equal(o.nemesis, []string{"partition", "kill"}) || o.nemesisInterval != 3*time.Second ||
		o.topology != "tree3" || !slices.Equal(o.args, []string{"--verbose", "x"}) {
		t.Fatalf("parsed %+v", o)
	}
	o, err = parseMaelstromFlags(strings.Fields("--workload echo --bin n.py --concurrency 4 arg1"), io.Discard)
	if err != nil || o.concurrency != 4 || o.nodeCount != 5 || !slices.Equal(o.args, []string{"arg1"}) || o.shapes != nil {
		t.Fatalf("parsed %+v, %v", o, err)
	}
	o, err = parseMaelstromFlags(strings.Fields("-w lin-kv --bin n --nemesis partition --partition-shape ring,one-way-in,ring "+
		"--availability 0.9 --max-writes-per-key 8 --log-stderr --log-net-send --log-net-recv"), io.Discard)
	if err != nil || !slices.Equal(o.shapes, []string{"ring", "one-way-in"}) || o.availability != "0.9" || o.maxWritesPerKey != 8 ||
		!o.logStderr || !o.logNetSend || !o.logNetRecv {
		t.Fatalf("parsed %+v, %v", o, err)
	}
	o, err = parseMaelstromFlags(strings.Fields("-w lin-kv --bin n --nemesis kill,partition"), io.Discard)
	if err != nil || !slices.Equal(o.shapes, []string{"halves"}) {
		t.Fatalf("parsed %+v, %v", o, err)
	}
}

func TestMaelstromFlagsErrors(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"-w echo --bin n --node-cuont 3", "did you mean --node-count"},
		{"-w echo --bin n --time-limt=3", "did you mean --time-limit"},
		{"-w echo --bin n --nemsis partition", "did you mean --nemesis"},
		{"--bin n", "-w WORKLOAD is required"},
		{"-w echo", "--bin PATH is required"},
		{"-w echo --bin n --concurrency 0", "--concurrency"},
		{"-w echo --bin n --concurrency xn", "--concurrency"},
		{"-w echo --bin n --nemesis partition,flood", `unknown fault "flood"; did you mean`},
		{"-w echo --bin n --nemesis pause,kil", `unknown fault "kil"; did you mean "kill"?`},
		{"-w echo --bin n --nemesis partition --partition-shape halfs", `unknown shape "halfs"; did you mean "halves"?`},
		{"-w echo --bin n --nemesis partition --partition-shape one-wayin", `did you mean "one-way-in"?`},
		{"-w echo --bin n --nemesis partition --partition-shape ,", "name at least one shape"},
		{"-w echo --bin n --nemesis kill --partition-shape ring", "needs --nemesis partition"},
		{"-w echo --bin n --availability 2", `--availability "2": want a fraction from 0 to 1`},
		{"-w echo --bin n --availability all", `--availability "all"`},
		{"-w echo --bin n --max-writes-per-key -1", "must not be negative"},
		{"-w echo --bin n --log-stder", "did you mean --log-stderr"},
		{"-w lin-kvv --bin n", `-w "lin-kvv": unknown workload "lin-kvv"; did you mean "lin-kv"?`},
		{"-w broadcast --bin n --topology tree5", `unknown topology "tree5"; did you mean "tree"?`},
		{"-w echo --bin n --node-count 0", "--node-count 0"},
		{"-w echo --bin n --time-limit -1", "--time-limit"},
		{"-w echo --bin n --latency -2", "--latency"},
	} {
		var errOut strings.Builder
		_, err := parseMaelstromFlags(strings.Fields(c.args), &errOut)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want it to contain %q", c.args, err, c.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "abc", 3}, {"kitten", "sitting", 3}, {"node-count", "node-count", 0}, {"nemsis", "nemesis", 1}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
