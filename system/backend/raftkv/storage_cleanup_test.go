package raftkv

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/workloads/checker"
)

// crashedHarnessEnv, when set to a directory, makes
// TestCrashedHarnessChild a harness that mounts a node's file system
// there, says "mounted" and waits to be killed.
const crashedHarnessEnv = "FAULTLINE_CRASHED_HARNESS_DIR"

// TestCrashedHarnessChild is the crashed harness of
// TestStaleMountCleanedAtStart, run in a child process; run directly it
// does nothing.
func TestCrashedHarnessChild(t *testing.T) {
	dir := os.Getenv(crashedHarnessEnv)
	if dir == "" {
		return
	}
	d, err := mountDisks(backend.Spec{Mode: backend.ModeProcess, Seed: 1}, []string{filepath.Join(dir, "node-0")})
	if err != nil {
		t.Fatal(err)
	}
	_ = d // left mounted: this process dies by SIGKILL
	os.Stdout.WriteString("mounted\n")
	select {} // killed by the parent
}

// TestStaleMountCleanedAtStart: a harness killed outright (SIGKILL)
// leaves its mount behind; the next cluster started beside it unmounts
// it, whether or not that run asks for storage faults.
func TestStaleMountCleanedAtStart(t *testing.T) {
	parent := t.TempDir()
	crashed := filepath.Join(parent, "faultline-raftkv-crashed")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashedHarnessChild$")
	cmd.Env = append(os.Environ(), crashedHarnessEnv+"="+crashed)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "mounted\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q, %v", line, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if m := faultfsMounts(t, parent); len(m) != 1 {
		t.Fatalf("mounts of the crashed harness: %v, want 1", m)
	}
	spec := backend.Spec{Nodes: 1, Mode: backend.ModeInProcess, Dir: filepath.Join(parent, "faultline-raftkv-next")}
	if err := os.Mkdir(spec.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop(context.Background())
	if m := faultfsMounts(t, parent); len(m) != 0 {
		t.Fatalf("stale mounts left after the next start: %v", m)
	}
}

// TestInterruptedRunUnmounts: a run with storage faults cut short (the
// runner's Ctrl-C path: its context is cancelled) still stops its
// cluster and unmounts every node's file system (run checks that none
// is left), and its results say it was interrupted.
func TestInterruptedRunUnmounts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := storageRun{fsync: true, duration: "30s", recovery: "2s",
		sched: "    - {fault: slow-disk, target: all, delay: 2ms, at: 200ms, for: 20s}\n"}
	r.started = func(dir string) {
		go func() {
			// Interrupt once ops are recorded: the cluster serves on its
			// mounts, under load.
			defer cancel()
			deadline := time.Now().Add(60 * time.Second)
			for time.Now().Before(deadline) {
				if st, err := os.Stat(filepath.Join(dir, "history.jsonl")); err == nil && st.Size() > 4096 {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	res, _ := r.run(ctx, t)
	if res.Error != "interrupted before the end of the run" || res.Verdict == checker.Invalid {
		t.Fatalf("interrupted run: verdict %v, error %q", res.Verdict, res.Error)
	}
}
