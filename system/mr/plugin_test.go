package mr

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"faultline/system/backend/nodeproc"
)

// goBuild runs go build with the flags this test binary was built with, so
// that a plugin and the command loading it agree on every package.
func goBuild(t *testing.T, args ...string) {
	t.Helper()
	flags := []string{"build"}
	if raceEnabled {
		flags = append(flags, "-race")
	}
	cmd := exec.Command("go", append(flags, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, out)
	}
}

// TestPlugin builds a course-style word-count plugin and the mr command,
// then checks that the command loads the plugin both for the sequential
// reference and as the app of worker processes in a job, with the same
// output as the built-in wc.
//
// A test binary cannot load the plugin itself: it links a test variant of
// this package, which the plugin's copy does not match.
func TestPlugin(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the plugin:", err)
	}
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skipf("plugins need cgo (CGO_ENABLED=%s, %v)", strings.TrimSpace(string(out)), err)
	}
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation makes the plugin's packages differ")
	}
	bin := t.TempDir()
	so := filepath.Join(bin, "wc.so")
	mrCmd := filepath.Join(bin, "mr")
	goBuild(t, "-buildmode=plugin", "-o", so, "./testdata/wcplugin")
	goBuild(t, "-o", mrCmd, "./cmd/mr")
	files := gutenbergFiles(t)
	want := sequentialLines(t, "wc", files)

	seqOut := filepath.Join(bin, "seq.out")
	if out, err := exec.Command(mrCmd, append([]string{"sequential", "-app", so, "-o", seqOut}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("mr sequential: %v\n%s", err, out)
	}
	b, err := os.ReadFile(seqOut)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffLines(sortedLines(b), want); d != nil {
		t.Fatalf("plugin sequential output: %s", d)
	}

	dir := t.TempDir()
	c := startTestCoordinator(t, files, 4)
	var procs []*workerProc
	for i := range 2 {
		id := fmt.Sprintf("w%d", i)
		log := filepath.Join(t.TempDir(), id+".log")
		p, err := nodeproc.Start(nodeproc.Command{
			Argv: []string{mrCmd, "worker", "-coordinator", c.Addr(), "-app", so, "-dir", dir, "-id", id}, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Kill() })
		procs = append(procs, &workerProc{Proc: p, id: id, log: log})
	}
	waitFinished(t, c)
	waitProcesses(t, procs)
	if d := diffLines(outputLines(t, dir), want); d != nil {
		t.Fatalf("plugin job output: %s", d)
	}

	// A missing symbol is an error, not a crash.
	if _, err := exec.Command(mrCmd, "sequential", "-app", filepath.Join(bin, "missing.so"), "-o", "-", files[0]).CombinedOutput(); err == nil {
		t.Fatal("missing plugin accepted")
	}
}
