package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"faultline/reports"
	"faultline/workloads"
)

// writeRunReport renders a finished run's report.html and refreshes the
// index of the results directory it belongs to. A report that cannot be
// written is a warning: the run's results stand without it.
func writeRunReport(dir string, stdout, stderr io.Writer) {
	if dir == "" {
		return
	}
	if _, err := os.Stat(filepath.Join(dir, "results.json")); err != nil {
		return
	}
	start := time.Now()
	path, err := reports.WriteReport(dir)
	if err != nil {
		fmt.Fprintf(stderr, "bench: report: %v\n", err)
		return
	}
	if _, err := reports.WriteIndex(filepath.Dir(dir)); err != nil {
		fmt.Fprintf(stderr, "bench: index: %v\n", err)
	}
	fmt.Fprintf(stdout, "report: %s (%.1fs)\n", path, time.Since(start).Seconds())
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := subcommandFlags("bench serve", "usage: bench serve [-addr 127.0.0.1:8080] [-dir results]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	dir := fs.String("dir", workloads.DefaultOut, "results directory to serve")
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench serve: unexpected argument %q\n", fs.Arg(0))
		return exitFailed
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "bench serve: %s is not a results directory\n", *dir)
		return exitFailed
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "bench serve: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "serving %s on http://%s/ (Ctrl-C stops)\n", *dir, ln.Addr())
	if err := reports.Serve(ctx, ln, *dir, stderr); err != nil {
		fmt.Fprintf(stderr, "bench serve: %v\n", err)
		return exitFailed
	}
	return exitValid
}

func cmdCompare(args []string, stdout, stderr io.Writer) int {
	fs := subcommandFlags("bench compare", "usage: bench compare [-out FILE] RUN_DIR RUN_DIR...", stderr)
	out := fs.String("out", "", "output file (default: compare-TIME.html beside the first run)")
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitFailed
	}
	path := *out
	if path == "" {
		path = filepath.Join(filepath.Dir(filepath.Clean(fs.Arg(0))),
			"compare-"+time.Now().UTC().Format("20060102-150405")+".html")
	}
	if err := reports.WriteCompareFile(path, fs.Args()); err != nil {
		fmt.Fprintf(stderr, "bench compare: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "comparison: %s\n", path)
	return exitValid
}
