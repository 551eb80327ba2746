package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Handler serves a results directory: the index of its runs at "/",
// every run's report at RUN/report.html (rendered on the fly when the
// folder has none yet), and every other regular file as it is (histories,
// configs, logs, visualizations).
//
// It serves nothing else. Every component of a path must be a real
// directory and the last one a regular file: a symbolic link is refused
// even when it points inside the results directory (the harness writes
// none), and the files are opened through an os.Root, so that nothing
// outside the directory is reached even if a link appears meanwhile. A
// directory is not listed (the generated index is the one listing). Error
// pages say "not found" or "internal error" and nothing of the file
// system; the details go to errlog (nil discards them).
func Handler(root string, errlog io.Writer) http.Handler {
	if errlog == nil {
		errlog = io.Discard
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		fail := func(status int, err error) {
			if status != http.StatusNotFound {
				fmt.Fprintf(errlog, "reports: serve %s: %v\n", r.URL.Path, err)
			}
			http.Error(w, strings.ToLower(http.StatusText(status)), status)
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || name == "index.html" {
			entries, err := Scan(root)
			if err != nil {
				fail(http.StatusInternalServerError, err)
				return
			}
			// Served pages link to reports rendered on demand.
			for i := range entries {
				entries[i].Report = true
			}
			servePage(w, fail, func(b *bytes.Buffer) error {
				return WriteIndexPage(b, "Faultline runs in "+filepath.Base(filepath.Clean(root)), entries)
			})
			return
		}
		rt, err := os.OpenRoot(root)
		if err != nil {
			fail(http.StatusInternalServerError, err)
			return
		}
		defer rt.Close()
		if run, ok := strings.CutSuffix(name, "/report.html"); ok && !strings.Contains(run, "/") {
			if err := realPath(rt, run, true); err != nil {
				fail(http.StatusNotFound, err)
				return
			}
			if _, err := rt.Lstat(name); errors.Is(err, fs.ErrNotExist) {
				servePage(w, fail, func(b *bytes.Buffer) error {
					d, err := Build(filepath.Join(root, run))
					if err != nil {
						return err
					}
					return Write(b, d)
				})
				return
			}
		}
		serveFile(w, r, rt, name, fail)
	})
}

// serveFile serves the regular file name of rt.
func serveFile(w http.ResponseWriter, r *http.Request, rt *os.Root, name string, fail func(int, error)) {
	if err := realPath(rt, name, false); err != nil {
		fail(http.StatusNotFound, err)
		return
	}
	f, err := rt.Open(name)
	if err != nil {
		fail(http.StatusNotFound, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		fail(http.StatusNotFound, fmt.Errorf("%s is not a regular file", name))
		return
	}
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// errNotServed is why a path that exists is not served.
var errNotServed = errors.New("not served: a symbolic link, a special file or a directory")

// realPath checks, without following links, that every component of the
// slash-separated name is a directory and the last a regular file (a
// directory when dir is set).
func realPath(rt *os.Root, name string, dir bool) error {
	parts := strings.Split(name, "/")
	for i := range parts {
		st, err := rt.Lstat(strings.Join(parts[:i+1], "/"))
		if err != nil {
			return err
		}
		last := i == len(parts)-1
		switch {
		case !last || dir:
			if !st.IsDir() {
				return fmt.Errorf("%s: %w", name, errNotServed)
			}
		case !st.Mode().IsRegular():
			return fmt.Errorf("%s: %w", name, errNotServed)
		}
	}
	return nil
}

func servePage(w http.ResponseWriter, fail func(int, error), render func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, os.ErrNotExist) {
			status = http.StatusNotFound
		}
		fail(status, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// Serve serves root on ln until ctx is done, then shuts the server down.
// On a loopback address it answers only requests whose Host header names
// the loopback address it listens on (localhost, 127.0.0.1 or [::1] with
// its port), which defeats DNS rebinding; on any other address it serves
// every host and warns loudly on errlog, since the results are then open
// to the network. Request errors are logged to errlog (nil discards).
func Serve(ctx context.Context, ln net.Listener, root string, errlog io.Writer) error {
	if errlog == nil {
		errlog = io.Discard
	}
	h := Handler(root, errlog)
	if port, ok := loopbackPort(ln.Addr()); ok {
		h = hostGuard(port, h)
	} else {
		fmt.Fprintf(errlog, "WARNING: serving %s on %s, which is not a loopback address: anyone who can reach it can read every history, log and config in it\n",
			root, ln.Addr())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("reports: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("reports: serve: %w", err)
	}
	<-done
	return nil
}

// loopbackPort returns the port of a TCP address on a loopback interface.
func loopbackPort(addr net.Addr) (string, bool) {
	a, ok := addr.(*net.TCPAddr)
	if !ok || !a.IP.IsLoopback() {
		return "", false
	}
	return fmt.Sprint(a.Port), true
}

// hostGuard refuses requests whose Host is not a loopback name with port.
func hostGuard(port string, h http.Handler) http.Handler {
	allowed := map[string]bool{}
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]"} {
		allowed[host+":"+port] = true
		if port == "80" {
			allowed[host] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed[strings.ToLower(r.Host)] {
			http.Error(w, "misdirected request: this server answers only to localhost, 127.0.0.1 or [::1] with its port", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}
