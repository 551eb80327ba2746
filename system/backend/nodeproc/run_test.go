package nodeproc

import (
	"flag"
	"slices"
	"testing"
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

func TestSplitList(t *testing.T) {
	if got := SplitList(""); got != nil {
		t.Fatalf("SplitList(\"\") = %q, want nil", got)
	}
	if got := SplitList("a,b"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("SplitList(a,b) = %q", got)
	}
}
