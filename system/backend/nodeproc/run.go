package nodeproc

import (
	"context"
	"errors"
	"fmt"
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

// Halter is a node that can stop on its own, for a reason that must end
// its process (a committed entry its state machine cannot apply, a
// storage failure): Stopped is closed then, and Err says why. A Raft peer
// (*raft.Raft) is one; a node embeds its peer as its Halter.
type Halter interface {
	Stopped() <-chan struct{}
	Err() error
}

// Serve runs a node in this process, as a node command does: it starts the
// node, waits until ctx ends or the process receives SIGTERM or SIGINT,
// logs "node stopping" to logger and stops the node. A node that is a
// Halter and halts on its own is stopped too, and Serve returns its
// error, so that the node process exits non-zero with the cause instead
// of lingering.
func Serve(ctx context.Context, logger *slog.Logger, start func() (Stopper, error)) error {
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	n, err := start()
	if err != nil {
		return err
	}
	var halted <-chan struct{} // nil (never ready) unless n can halt
	h, ok := n.(Halter)
	if ok {
		halted = h.Stopped()
	}
	select {
	case <-ctx.Done():
		logger.Info("node stopping")
		return n.Stop()
	case <-halted:
		cause := h.Err()
		if cause == nil {
			cause = errors.New("stopped with no cause given")
		}
		logger.Error("node halted", "err", cause)
		return errors.Join(fmt.Errorf("node halted: %w", cause), n.Stop())
	}
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
