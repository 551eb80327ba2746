package nodeproc

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

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

// RunNode is the body of a backend's RunNode for a node config type C
// whose fields travel as arguments (EncodeArgs): it decodes args into a
// copy of defaults, then serves start(cfg, logger) with a stderr logger
// until ctx ends or the process is told to stop (see Serve).
func RunNode[C any](ctx context.Context, args []string, defaults C, start func(cfg C, logger *slog.Logger) (Stopper, error)) error {
	cfg := defaults
	if err := DecodeArgs(args, &cfg); err != nil {
		return err
	}
	logger := StderrLogger()
	return Serve(ctx, logger, func() (Stopper, error) { return start(cfg, logger) })
}
