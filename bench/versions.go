package main

import (
	"context"
	"log/slog"
	"runtime"
	"runtime/debug"
)

// versions names what built this binary: Go, Faultline's VCS revision and
// the dependencies that shape results.
func versions() map[string]string {
	v := map[string]string{"go": runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v["faultline"] = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v["faultline"] = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v["faultline_modified"] = "true"
			}
		}
	}
	for _, d := range bi.Deps {
		switch d.Path {
		case "github.com/anishathalye/porcupine", "github.com/HdrHistogram/hdrhistogram-go",
			"github.com/hashicorp/raft", "github.com/hashicorp/go-msgpack/v2",
			"go.etcd.io/etcd/server/v3", "go.etcd.io/etcd/client/v3":
			v[d.Path] = d.Version
		}
	}
	return v
}

// teeHandler sends every record to two handlers.
type teeHandler struct{ a, b slog.Handler }

// Enabled implements slog.Handler.
func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return t.a.Enabled(ctx, l) || t.b.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	if t.a.Enabled(ctx, r.Level) {
		_ = t.a.Handle(ctx, r.Clone())
	}
	if t.b.Enabled(ctx, r.Level) {
		return t.b.Handle(ctx, r)
	}
	return nil
}

// WithAttrs implements slog.Handler.
func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return teeHandler{t.a.WithAttrs(as), t.b.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (t teeHandler) WithGroup(n string) slog.Handler {
	return teeHandler{t.a.WithGroup(n), t.b.WithGroup(n)}
}
