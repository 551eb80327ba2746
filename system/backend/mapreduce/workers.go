package mapreduce

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"faultline/system/backend/nodeproc"
	"faultline/system/mr"
)

// job is what the workers of the running job need to start, and what
// RunJob hears from them. Guarded by Cluster.mu.
type job struct {
	worker  mr.WorkerConfig // the workers' config, but for ID and LocalDir
	scratch string          // parent of serving workers' local directories
	starts  []int           // workers started per node, this job
	started int             // workers started in all
	crashes int             // workers that exited by themselves before the job was done
	exits   []int           // nodes whose process exited by itself, not yet handled
	wake    chan struct{}   // signalled when exits grows; capacity 1
}

// start returns node i's worker config for its next start and counts the
// start. Called with c.mu held.
func (c *Cluster) start(j *job, i int) mr.WorkerConfig {
	j.starts[i]++
	j.started++
	cfg := j.worker
	cfg.ID = c.names[i]
	if cfg.Serve != "" {
		// Every incarnation keeps its map output apart: a replacement
		// must not serve what a killed worker left half written.
		cfg.LocalDir = filepath.Join(j.scratch, fmt.Sprintf("%s.%d", c.names[i], j.starts[i]))
	}
	return cfg
}

// config is the node Set's config of worker i (process mode): the Set
// calls it, then env, at every start.
func (c *Cluster) config(i int) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.job == nil {
		return mr.WorkerConfig{}
	}
	return c.start(c.job, i)
}

// env is worker i's environment: the options' variables, the probe apps'
// directory and an id that differs between incarnations (the crash app
// seeds from it).
func (c *Cluster) env(i int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.opts.env)
	if j := c.job; j != nil {
		out = append(out, mr.EnvProbeDir+"="+j.worker.Dir,
			fmt.Sprintf("%s=%s.%d", mr.EnvWorkerID, c.names[i], j.starts[i]))
	}
	return out
}

// goroutineWorker is a worker running in this process.
type goroutineWorker struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Stop ends the worker and waits for it. It implements nodeproc.Stopper.
func (w *goroutineWorker) Stop() error {
	w.cancel()
	<-w.done
	return nil
}

// startGoroutine starts worker i in this process (in-process mode).
func (c *Cluster) startGoroutine(i int) (nodeproc.Stopper, error) {
	c.mu.Lock()
	j := c.job
	var cfg mr.WorkerConfig
	if j != nil {
		cfg = c.start(j, i)
	}
	c.mu.Unlock()
	if j == nil {
		return nil, fmt.Errorf("mapreduce: start %s: no job is running", c.names[i])
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &goroutineWorker{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		if err := cfg.Run(ctx); err != nil && c.spec.Logger != nil {
			c.spec.Logger.Warn("mapreduce: worker failed", "node", c.names[i], "err", err)
		}
	}()
	return w, nil
}

// exited is the node Set's hook for a worker process that exited by
// itself: the running job hears of it (and replaces the worker if the job
// is not done).
func (c *Cluster) exited(i int, _ error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if j := c.job; j != nil {
		j.exits = append(j.exits, i)
		select {
		case j.wake <- struct{}{}:
		default:
		}
	}
}
