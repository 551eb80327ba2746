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
	if err != nil || o.concurrency != 4 || o.nodeCount != 5 || !slices.Equal(o.args, []string{"arg1"}) {
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
		{"-w echo --bin n --nemesis partition,flood", `unknown fault "flood"`},
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
