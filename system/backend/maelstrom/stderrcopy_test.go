package maelstrom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline/internal/labcluster"
)

// TestStderrCopy: the copy follows logs that appear late and grow, copies
// each ended line once with its node's id, cuts very long lines and, when
// it closes, copies an unended last line too.
func TestStderrCopy(t *testing.T) {
	dir := t.TempDir()
	paths := []string{filepath.Join(dir, "n0.log"), filepath.Join(dir, "n1.log")}
	if err := os.WriteFile(paths[0], []byte("first\nhalf "), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "terminal"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	shown := func() string {
		b, err := os.ReadFile(out.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	c := startStderrCopy(out, []string{"n0", "n1"}, paths)
	labcluster.WaitFor(t, 10*time.Second, "the first line", func() bool { return strings.Contains(shown(), "n0: first\n") })
	appendTo := func(path, s string) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	appendTo(paths[0], "a line\n")
	appendTo(paths[1], "late\n"+strings.Repeat("y", stderrLine+10)+"\nno end")
	labcluster.WaitFor(t, 10*time.Second, "the later lines", func() bool {
		return strings.Contains(shown(), "n0: half a line\n") && strings.Contains(shown(), "n1: late\n")
	})
	c.close()
	got := shown()
	for _, want := range []string{"n0: first\n", "n0: half a line\n", "n1: late\n", "n1: " + strings.Repeat("y", stderrLine) + "\n",
		"n1: " + strings.Repeat("y", 10) + "\n", "n1: no end\n"} {
		if strings.Count(got, want) != 1 {
			t.Errorf("%.40q copied %d times, want once", want, strings.Count(got, want))
		}
	}
	if n := strings.Count(got, "\n"); n != 6 {
		t.Errorf("%d lines copied, want 6", n)
	}
}
