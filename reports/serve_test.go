package reports

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveLoopback serves root with Serve on ln (a fresh 127.0.0.1 port when
// nil), logging to errlog, and returns the base URL and a stop function,
// also called when the test ends; errlog may be read once stop returns.
func serveLoopback(t *testing.T, root string, ln net.Listener, errlog io.Writer) (string, func()) {
	t.Helper()
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, root, errlog) }()
	stop := sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}

// fetch GETs base+path with the given Host header ("" keeps the URL's).
func fetch(t *testing.T, base, path, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestServeOnlyRegularFilesInside serves a results directory holding links
// to a secret outside it, a link inside it, a linked run folder and
// directories, over a real loopback server.
func TestServeOnlyRegularFilesInside(t *testing.T) {
	root, dirs := runsDir(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0:SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	synthRun(t, outside, synthOptions{seed: 21, ops: 10, seconds: 2})
	for link, target := range map[string]string{
		filepath.Join(dirs[0], "passwd"):          secret,                                                      // a file outside
		filepath.Join(root, "escape"):             outside,                                                     // a run folder outside
		filepath.Join(dirs[0], "results-link"):    filepath.Join(dirs[0], "results.json"),                      // a link inside
		filepath.Join(dirs[1], "relative-passwd"): filepath.Join("..", "..", filepath.Base(outside), "passwd"), // relative, outside
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	base, _ := serveLoopback(t, root, nil, nil)
	a, b := "/"+filepath.Base(dirs[0]), "/"+filepath.Base(dirs[1])
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"index", "/", 200},
		{"regular file", a + "/results.json", 200},
		{"report on the fly", b + "/report.html", 200},
		{"link to a file outside", a + "/passwd", 404},
		{"relative link outside", b + "/relative-passwd", 404},
		{"link inside", a + "/results-link", 404},
		{"file in a linked folder", "/escape/passwd", 404},
		{"report of a linked folder", "/escape/report.html", 404},
		{"directory", a + "/", 404},
		{"directory without slash", a, 404},
		{"root as a file", "/.", 200}, // cleaned to the index
		{"missing file", a + "/nothing.txt", 404},
		{"missing run", "/nothing/report.html", 404},
		{"dot-dot", "/../" + filepath.Base(outside) + "/passwd", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := fetch(t, base, tc.path, "")
			if code != tc.status {
				t.Errorf("GET %s: %d, want %d", tc.path, code, tc.status)
			}
			if strings.Contains(body, "SECRET") {
				t.Errorf("GET %s served the file outside the results directory", tc.path)
			}
			if code != 200 && (strings.Contains(body, root) || strings.Contains(body, outside) || strings.Contains(body, "/tmp") ||
				strings.Contains(body, "<a href")) {
				t.Errorf("GET %s: error page says too much: %q", tc.path, body)
			}
		})
	}
}

func TestServeHostHeader(t *testing.T) {
	root, _ := runsDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	base, _ := serveLoopback(t, root, ln, nil)
	p := ":" + itoa(port)
	for host, want := range map[string]int{
		"127.0.0.1" + p: 200, "localhost" + p: 200, "LocalHost" + p: 200, "[::1]" + p: 200,
		"evil.example" + p: 421, "evil.example": 421, "localhost": 421, "127.0.0.1:1": 421,
		"localhost.evil.example" + p: 421, "127.0.0.1.nip.io" + p: 421,
	} {
		if code, body := fetch(t, base, "/", host); code != want {
			t.Errorf("Host %q: %d, want %d (%q)", host, code, want, body)
		}
	}
}

// otherAddr is a listener that claims a non-loopback address, so that the
// test sees Serve's warning without opening a port to the network.
type otherAddr struct{ net.Listener }

func (otherAddr) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 8080} }

func TestServeWarnsOffLoopback(t *testing.T) {
	root, _ := runsDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	real := "http://" + ln.Addr().String()
	var log strings.Builder
	_, stop := serveLoopback(t, root, otherAddr{ln}, &log)
	// Off loopback no Host is known to be right, so none is refused.
	if code, _ := fetch(t, real, "/", "results.example:8080"); code != 200 {
		t.Errorf("status %d", code)
	}
	stop()
	if !strings.Contains(log.String(), "WARNING") || !strings.Contains(log.String(), "not a loopback address") {
		t.Errorf("no warning on a non-loopback address: %q", log.String())
	}
}
