package mapreduce

import (
	"context"
	"os/signal"
	"syscall"

	"faultline/system/backend/nodeproc"
	"faultline/system/mr"
)

// RunNode is the worker-process entry point (`bench node mapreduce
// ARGS...`): args are an mr.WorkerConfig as nodeproc.EncodeArgs renders
// it. The worker runs until the job is done or the coordinator is gone,
// or until ctx ends or the process receives SIGTERM or SIGINT.
func RunNode(ctx context.Context, args []string) error {
	var cfg mr.WorkerConfig
	if err := nodeproc.DecodeArgs(args, &cfg); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	return cfg.Run(ctx)
}
