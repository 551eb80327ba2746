package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
// folder has none yet), and every other file as it is (histories,
// configs, logs, visualizations).
func Handler(root string) http.Handler {
	files := http.FileServer(http.Dir(root))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		switch {
		case p == "/" || p == "/index.html":
			entries, err := Scan(root)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			// Served pages link to reports rendered on demand.
			for i := range entries {
				entries[i].Report = true
			}
			servePage(w, func(b *bytes.Buffer) error {
				return WriteIndexPage(b, "Faultline runs in "+filepath.Base(filepath.Clean(root)), entries)
			})
			return
		case strings.HasSuffix(p, "/report.html") && strings.Count(p, "/") == 2:
			dir := filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(p, "/report.html")))
			if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
				servePage(w, func(b *bytes.Buffer) error {
					d, err := Build(dir)
					if err != nil {
						return err
					}
					return Write(b, d)
				})
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

func servePage(w http.ResponseWriter, render func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, os.ErrNotExist) {
			status = http.StatusNotFound
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// Serve serves root on ln until ctx is done, then shuts the server down.
func Serve(ctx context.Context, ln net.Listener, root string) error {
	srv := &http.Server{Handler: Handler(root), ReadHeaderTimeout: 10 * time.Second}
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
