package raftkv

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faultline/system/backend/nodeproc"
	"faultline/transport/tcp"
)

// TestNodeLogNamesNodeOnce: a line the node's transport logs (a refused
// connection) names the node once, not once per layer (node=n0 node=n0).
func TestNodeLogNamesNodeOnce(t *testing.T) {
	c, ctx := hostileCluster(t)
	_ = callNode(ctx, c, 0, tcp.Config{}, "KVServer.Get", &struct{}{}, &struct{}{})
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
