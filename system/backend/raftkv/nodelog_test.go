package raftkv

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport/tcp"
)

// TestNodeLogNamesNodeOnce: a line the node's transport logs (a refused
// connection) names the node once, not once per layer (node=n0 node=n0).
func TestNodeLogNamesNodeOnce(t *testing.T) {
	c := startCluster(t, backend.ModeProcess, 3, false)
	ctx := suiteCtx(t)
	cl := tcp.DialNamed(nodeName(0), c.Addrs()[0], tcp.Config{Conns: 1})
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	_ = cl.CallContext(cctx, "KVServer.Get", &struct{}{}, &struct{}{})
	cancel()
	cl.Close()
	logPath := filepath.Join(filepath.Dir(c.cfgs[0].Dir), nodeName(0)+".log")
	var line string
	err := nodeproc.Poll(ctx, 10*time.Second, 20*time.Millisecond, func(context.Context) error {
		f, err := os.Open(logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "unauthenticated connection") {
				line = sc.Text()
				return nil
			}
		}
		return os.ErrNotExist
	})
	if err != nil {
		t.Fatalf("no refused-connection line in %s: %v", logPath, err)
	}
	if n := strings.Count(line, "node="); n != 1 {
		t.Fatalf("the line names the node %d times, want once: %s", n, line)
	}
}
