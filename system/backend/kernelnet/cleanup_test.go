package kernelnet

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"faultline/transport"
)

// childEnv makes the test binary a child that builds a Net (see
// TestMain): "crash" waits to be killed, "interrupt" closes the Net on
// SIGINT as the harness's signal path does.
const childEnv = "FAULTLINE_KERNELNET_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode))
	}
	os.Exit(m.Run())
}

// child builds a Net with faults in effect, prints its id, and then
// crashes or handles SIGINT as mode says.
func child(mode string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	n, err := New([]string{"n0", "n1"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	f, err := NewFaults(n)
	if err == nil {
		err = f.SetLink("n0", "n1", transport.LinkFaults{Blocked: true})
	}
	if err == nil {
		err = f.SetLink("n1", "n0", transport.LinkFaults{Bandwidth: 1 << 20})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		n.Close()
		return 1
	}
	// A node process inside n0's namespace, as a backend starts one.
	node := exec.Command("sleep", "300")
	if err := Enter(n.Hosts[0].Netns, node.Start); err != nil {
		fmt.Fprintln(os.Stderr, err)
		n.Close()
		return 1
	}
	go node.Wait() //nolint:errcheck // reaped whenever it ends
	fmt.Println(n.ID, node.Process.Pid)
	<-ctx.Done()
	if mode == "interrupt" {
		if err := n.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// startChild runs a child in mode and returns it with its Net's id and
// the pid of the node process it started in n0's namespace, once the Net
// is built.
func startChild(t *testing.T, mode string) (*exec.Cmd, string, int) {
	t.Helper()
	if err := CheckPrivileges(); err != nil {
		t.Skipf("needs root: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	var id string
	var pid int
	if _, err := fmt.Sscan(line, &id, &pid); err != nil {
		t.Fatalf("child said %q: %v", line, err)
	}
	t.Cleanup(func() { _, _ = sweepID(id) }) // whatever the test proves, leave nothing
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	left, err := Leftovers(id)
	if err != nil || len(left) != 1+2+2+1 { // bridge, veths, namespaces, table
		t.Fatalf("child's net %s: %v %v", id, left, err)
	}
	return cmd, id, pid
}

// assertProcessGone fails unless pid has exited (or is a zombie waiting
// for whoever adopted it to reap it), within a bound.
func assertProcessGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// The state follows the parenthesised command name.
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node process %d in the namespace still running: %s", pid, stat)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCrashLeftoversSwept: a harness killed with SIGKILL leaves its Net
// behind; Sweep (run by the next New) finds it by its prefix, sees its
// lease free, and removes all of it.
func TestCrashLeftoversSwept(t *testing.T) {
	cmd, id, pid := startChild(t, "crash")
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the node process %d did not outlive its harness: the test proves nothing (%v)", pid, err)
	}
	if left, _ := Leftovers(id); len(left) == 0 {
		t.Fatalf("a killed child left nothing: the test proves nothing")
	}
	gone, err := Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(gone, id) {
		// Another run's sweep (every New sweeps) took it first.
		waitLeaseFree(t, id)
	}
	assertGone(t, id)
	assertProcessGone(t, pid)
}

// waitLeaseFree waits (bounded) until nobody holds id's lease: whoever
// sweeps it holds it until done.
func waitLeaseFree(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, ok, err := tryLease(id)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			l.release()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("lease of %s still held after 10s", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestInterruptCleansUp: a harness that gets SIGINT closes its Net on the
// way out, leaving nothing.
func TestInterruptCleansUp(t *testing.T) {
	cmd, id, pid := startChild(t, "interrupt")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("child did not exit after SIGINT")
	}
	assertGone(t, id)
	assertProcessGone(t, pid)
}

// TestSweepSparesLiveAndTakesForgotten: Sweep leaves a live Net alone;
// once its lease is gone (as when its process died) without Close, Sweep
// removes it.
func TestSweepSparesLiveAndTakesForgotten(t *testing.T) {
	n := newNet(t, "n0", "n1")
	if _, err := NewFaults(n); err != nil {
		t.Fatal(err)
	}
	if _, err := Sweep(); err != nil {
		t.Fatal(err)
	}
	if left, _ := Leftovers(n.ID); len(left) != 1+2+2+1 {
		t.Fatalf("sweep touched a live net: %v", left)
	}
	n.lease.release() // forget it, as a crash would
	n.closeOnce.Do(func() {})
	gone, err := Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(gone, n.ID) {
		waitLeaseFree(t, n.ID) // another run's sweep took it first
	}
	assertGone(t, n.ID)
}
