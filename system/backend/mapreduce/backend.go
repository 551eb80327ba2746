package mapreduce

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

// Name is the backend's name in configs.
const Name = "mapreduce"

// Backend is the "mapreduce" backend. Its zero value is ready to use.
type Backend struct{}

var _ backend.Backend = Backend{}

// Name returns "mapreduce".
func (Backend) Name() string { return Name }

// defaultMaxRestarts bounds the replacements of crashed workers per job.
const defaultMaxRestarts = 1000

// options are the backend's settings from Spec.Options.
type options struct {
	serve       bool
	maxRestarts int
	env         []string
}

func parseOptions(opts map[string]string) (options, error) {
	o := options{maxRestarts: defaultMaxRestarts}
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		v := opts[k]
		var err error
		switch {
		case k == "serve":
			o.serve, err = strconv.ParseBool(v)
		case k == "maxrestarts":
			o.maxRestarts, err = strconv.Atoi(v)
			if err == nil && o.maxRestarts < 0 {
				err = errors.New("want >= 0")
			}
		case strings.HasPrefix(k, "env.") && len(k) > len("env."):
			o.env = append(o.env, strings.TrimPrefix(k, "env.")+"="+v)
		default:
			return o, fmt.Errorf("mapreduce: unknown option %q (known: serve, maxrestarts, env.NAME)", k)
		}
		if err != nil {
			return o, fmt.Errorf("mapreduce: option %s = %q: %w", k, v, err)
		}
	}
	return o, nil
}

// Start prepares a cluster of spec.Nodes workers. No worker runs until
// RunJob starts a job.
func (Backend) Start(_ context.Context, spec backend.Spec) (backend.Cluster, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	opts, err := parseOptions(spec.Options)
	if err != nil {
		return nil, err
	}
	secret, err := nodeproc.NewSecret(spec.Dir)
	if err != nil {
		return nil, fmt.Errorf("mapreduce: %w", err)
	}
	c := &Cluster{spec: spec, opts: opts, secret: secret, names: Backend{}.Nodes(spec), stopped: make(chan struct{})}
	c.Set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: Name, Names: c.names, Mode: spec.Mode,
		Exec: spec.Exec, Config: c.config, Env: c.env, Dir: spec.Dir,
		InProcess: c.startGoroutine,
		Exited:    c.exited,
	})
	return c, nil
}

// Cluster is a set of MapReduce workers that runs jobs. It implements
// backend.Cluster, backend.Batch, backend.Killer and backend.Pauser
// (process mode), the latter two through its node Set.
type Cluster struct {
	*nodeproc.Set
	spec    backend.Spec
	opts    options
	secret  nodeproc.Secret // the coordinator's and every worker's
	names   []string
	stopped chan struct{} // closed by Stop
	stop    sync.Once

	// gate orders Restart (read) before the end of a job (write), so
	// that no worker starts once a job's workers are being stopped.
	gate sync.RWMutex

	mu  sync.Mutex
	job *job // the running job, nil between jobs
}

var (
	_ backend.Cluster = (*Cluster)(nil)
	_ backend.Batch   = (*Cluster)(nil)
	_ backend.Killer  = (*Cluster)(nil)
	_ backend.Pauser  = (*Cluster)(nil)
)

// Nodes names the workers w0, w1, ...
func (c *Cluster) Nodes() []string { return slices.Clone(c.names) }

// Client implements backend.Cluster: a MapReduce cluster runs batch jobs
// (backend.Batch) and serves no key/value clients.
func (c *Cluster) Client(context.Context, int) (backend.Client, error) {
	return nil, fmt.Errorf("mapreduce: key/value clients: %w", backend.ErrUnsupported)
}

// Restart implements backend.Killer: while a job runs, it starts a
// replacement for a killed worker under the same node name (restarting a
// running worker does nothing); between jobs no worker runs, and it does
// nothing.
func (c *Cluster) Restart(ctx context.Context, node string) error {
	c.gate.RLock()
	defer c.gate.RUnlock()
	c.mu.Lock()
	running := c.job != nil
	c.mu.Unlock()
	if !running {
		if _, err := c.Index(node); err != nil {
			return err
		}
		return nil
	}
	return c.Set.Restart(ctx, node)
}

// Stop stops every worker and ends a running job with an error. It is
// safe to call more than once.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stop.Do(func() { close(c.stopped) })
	return c.Set.Stop(ctx)
}
