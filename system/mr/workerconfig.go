package mr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"faultline/transport/tcp"
)

// WorkerConfig describes a worker as plain values, for a worker that runs
// as its own process: whoever starts the process renders the config as
// arguments (system/backend/nodeproc.EncodeArgs) and the process parses
// them back and calls Run.
type WorkerConfig struct {
	// App is a built-in application's name or a plugin's path (OpenApp).
	App string
	// Coordinator is the coordinator's address (WithCoordinator).
	Coordinator string
	// Dir is the job's shared directory (WithDir).
	Dir string
	// ID names the worker in the coordinator's timeline (WithWorkerID).
	ID string
	// Serve, if set, is the address at which the worker serves its map
	// output, kept in LocalDir (made if missing; "" a temporary
	// directory); see WithServeIntermediates.
	Serve, LocalDir string
	// GoneAfter, if positive, is how long the coordinator may stay
	// unreachable (WithGoneAfter).
	GoneAfter time.Duration
	// CPUProfile, if set, is a file the worker writes its CPU profile to.
	CPUProfile string
	// SecretFile, if set, is the path of the job's secret file
	// (tcp.WriteSecretFile): the worker's calls to the coordinator and to
	// other workers, and its own listener, authenticate with the secret
	// in it. The path travels in the arguments, never the secret.
	SecretFile string `arg:"secret-file"`
}

// Run opens the application and runs the worker (RunWorker) until the
// job is done, the coordinator is gone or ctx ends.
func (c WorkerConfig) Run(ctx context.Context) error {
	app, err := OpenApp(c.App)
	if err != nil {
		return err
	}
	opts := []WorkerOption{WithDir(c.Dir)}
	if c.Coordinator != "" {
		opts = append(opts, WithCoordinator(c.Coordinator))
	}
	if c.ID != "" {
		opts = append(opts, WithWorkerID(c.ID))
	}
	if c.Serve != "" {
		if c.LocalDir != "" {
			if err := os.MkdirAll(c.LocalDir, 0o755); err != nil {
				return fmt.Errorf("mr: worker: %w", err)
			}
		}
		opts = append(opts, WithServeIntermediates(c.Serve, c.LocalDir))
	}
	if c.SecretFile != "" {
		secret, err := tcp.ReadSecretFile(c.SecretFile)
		if err != nil {
			return fmt.Errorf("mr: worker: %w", err)
		}
		opts = append(opts, WithWorkerTCPConfig(tcp.Config{Secret: secret}))
	}
	if c.GoneAfter > 0 {
		opts = append(opts, WithGoneAfter(c.GoneAfter))
	}
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return fmt.Errorf("mr: worker: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("mr: worker: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	err = RunApp(ctx, app, opts...)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil // told to stop
	}
	return err
}
