package faultfs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv, when set in a test binary's environment, makes it a helper
// process that mounts a file system under the directory it names, says
// "mounted" and waits to be killed: a harness that crashes.
const childEnv = "FAULTFS_TEST_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(walChildEnv); dir != "" {
		walChild(dir)
	}
	if dir := os.Getenv(childEnv); dir != "" {
		f, err := Mount(Config{Mountpoint: filepath.Join(dir, "data"), Backing: filepath.Join(dir, "backing")})
		if err != nil {
			fmt.Println("mount failed:", err)
			os.Exit(1)
		}
		_ = f
		fmt.Println("mounted")
		select {}
	}
	os.Exit(m.Run())
}

// child is the test binary re-executed as a helper process.
type child struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	once  sync.Once
}

// startChild starts the test binary with env set to dir; it is killed when
// t ends if not before.
func startChild(t *testing.T, env, dir string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), lines: make(chan string, 1024)}
	c.cmd.Env = append(os.Environ(), env+"="+dir)
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.kill)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			c.lines <- s.Text()
		}
		close(c.lines)
	}()
	return c
}

// expect fails t unless the child's next line is want, within 60s.
func (c *child) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if l != want || !ok {
			t.Fatalf("child said %q (running %v), want %q", l, ok, want)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("child did not say %q within 60s", want)
	}
}

// kill kills the child and waits for it to end.
func (c *child) kill() {
	c.once.Do(func() {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
}

// crashedMount leaves a stale mount under dir: a child process mounts a
// file system at dir/data and is killed.
func crashedMount(t *testing.T, dir string) {
	t.Helper()
	if err := availableOnce(); err != nil {
		t.Fatalf("FUSE is needed: %v", err)
	}
	c := startChild(t, childEnv, dir)
	c.expect(t, "mounted")
	c.kill()
}

// TestStaleMountCleaned: a mount whose owner was killed stays in the
// mount table with a dead connection; CleanStale finds it by its marker
// and unmounts it, leaving live mounts alone.
func TestStaleMountCleaned(t *testing.T) {
	dir := t.TempDir()
	point := filepath.Join(dir, "data")
	crashedMount(t, dir)
	if !mounted(t, point) {
		t.Fatalf("%s not in the mount table after its owner was killed", point)
	}
	_, err := os.Stat(filepath.Join(point, "x"))
	if !errors.Is(err, syscall.ENOTCONN) {
		t.Fatalf("stat in the stale mount: %v, want ENOTCONN", err)
	}

	// A live mount of this process under the same directory stays. (Only
	// dir is cleaned: other test processes may run beside this one.)
	live, err := Mount(Config{Mountpoint: filepath.Join(dir, "live"), Backing: filepath.Join(dir, "live-backing")})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	cleaned, err := CleanStale(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cleaned, []string{point}) {
		t.Fatalf("CleanStale cleaned %v, want [%s]", cleaned, point)
	}
	if mounted(t, point) {
		t.Fatalf("%s still mounted after CleanStale", point)
	}
	if !mounted(t, live.Mountpoint()) {
		t.Fatal("a live mount was unmounted")
	}
}

// TestMountOverStale: Mount unmounts a stale mount on its own mountpoint
// first.
func TestMountOverStale(t *testing.T) {
	dir := t.TempDir()
	crashedMount(t, dir)
	f, err := Mount(Config{Mountpoint: filepath.Join(dir, "data"), Backing: filepath.Join(dir, "backing")})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	create(t, f, "works", []byte("yes"), true)
	wantContent(t, f, "works", []byte("yes"))
}

// TestCloseUnmounts: Close unmounts, even with a file still open in the
// mount, and is idempotent.
func TestCloseUnmounts(t *testing.T) {
	if err := availableOnce(); err != nil {
		t.Fatalf("FUSE is needed: %v", err)
	}
	dir := t.TempDir()
	f, err := Mount(Config{Mountpoint: filepath.Join(dir, "data"), Backing: filepath.Join(dir, "backing")})
	if err != nil {
		t.Fatal(err)
	}
	create(t, f, "a", []byte("x"), false)
	held, err := os.Open(f.path("a"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := f.Close(); err != nil {
		t.Fatalf("Close with a file open: %v", err)
	}
	if mounted(t, f.Mountpoint()) {
		t.Fatal("still mounted after Close")
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "backing", "a")); err != nil || string(b) != "x" {
		t.Fatalf("backing file after a clean Close: %q, %v; want the un-synced write kept", b, err)
	}
}

// TestPowerLossRefusesBusyMount: a power loss while a process still holds
// a file in the mount (the node was not killed) is refused, and the mount
// goes on working.
func TestPowerLossRefusesBusyMount(t *testing.T) {
	f := mountT(t, 1)
	create(t, f, "a", []byte("x"), true)
	held, err := os.Open(f.path("a"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.PowerLoss(DropUnsynced); err == nil {
		t.Fatal("PowerLoss with a file open succeeded")
	}
	held.Close()
	appendTo(t, f, "a", []byte("y"), false)
	wantContent(t, f, "a", []byte("xy"))
	if _, err := f.PowerLoss("bogus"); err == nil {
		t.Fatal("unknown mode accepted")
	}
}

func TestConfigRefused(t *testing.T) {
	for _, c := range []Config{{}, {Mountpoint: "/tmp/x"}, {Mountpoint: "/tmp/x", Backing: "/tmp/x"}, {Mountpoint: "/tmp/x", Backing: "/tmp/x/y"}} {
		if _, err := Mount(c); err == nil {
			t.Fatalf("Mount(%+v) accepted", c)
		}
	}
}

// TestUnavailableSaysWhy: without the FUSE device Available fails at once,
// wrapping ErrUnavailable and naming the device.
func TestUnavailableSaysWhy(t *testing.T) {
	defer func(d string) { fuseDevice = d }(fuseDevice)
	fuseDevice = filepath.Join(t.TempDir(), "no-fuse")
	err := Available()
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no-fuse does not exist") {
		t.Fatalf("Available without the device: %v", err)
	}
}
