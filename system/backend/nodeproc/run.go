package nodeproc

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// ParseArgs parses a node command's arguments into fs without printing
// anything (errors are returned) and refuses positional arguments.
func ParseArgs(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected %q", fs.Args())
	}
	return nil
}

// SplitList splits a comma-separated flag value; "" is no element.
func SplitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// StderrLogger is the logger of a node process: text at level info on
// stderr, which the Set sends to the node's log file.
func StderrLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// Serve runs a node in this process, as a node command does: it starts the
// node, waits until ctx ends or the process receives SIGTERM or SIGINT,
// logs "node stopping" to logger and stops the node.
func Serve(ctx context.Context, logger *slog.Logger, start func() (Stopper, error)) error {
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	n, err := start()
	if err != nil {
		return err
	}
	<-ctx.Done()
	logger.Info("node stopping")
	return n.Stop()
}
